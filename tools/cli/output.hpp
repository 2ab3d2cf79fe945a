// How programs print results for people: one line per file, colour only on a terminal when
// NO_COLOR is unset, summaries. JSON is cli/json.hpp.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "mavi/check.hpp"
#include "mavi/discover.hpp"
#include "mavi/media_info.hpp"
#include "mavi/rules.hpp"

namespace mavi::cli {

struct Counts {
  std::size_t ok = 0;
  std::size_t fixable = 0;
  std::size_t rejected = 0;
  std::size_t unusable_paths = 0;  // named PATHs (or folders) that could not be examined
  std::size_t files() const noexcept { return ok + fixable + rejected; }
  void add(VerdictKind kind) noexcept;
  VerdictKind worst() const noexcept;  // rejected if any (unusable paths count as rejected)
};

// True when `fd` is a terminal, NO_COLOR is unset or empty, and TERM is not "dumb".
bool color_enabled(int fd);

// Control characters (newlines in file names...) shown as '?', so one file stays one line.
std::string printable(std::string_view text);

// The finding a one-line report shows: the first error (one nothing fixes first for a
// rejected file), else the first warning; nullptr when there are no findings.
const Finding* main_finding(const Verdict& verdict);

// "fixable   path  remux: message (+2 more)"; verdict padded to 10 columns.
std::string human_line(const CheckResult& result, bool color);

// Each finding on its own indented line: "    error   code: message".
std::string human_details(const CheckResult& result, bool color);

// Flushes stdout; when the results could not be written (a full disk, a closed pipe), says so
// on stderr as "PROGRAM: cannot write the results to stdout" and returns false: the program
// then exits with ExitCode::internal rather than pretend the report exists.
bool flush_results(std::string_view program);

// "3 files: 1 ok, 1 fixable, 1 rejected" (+ "; 1 path unusable").
std::string summary_line(const Counts& counts);

}  // namespace mavi::cli

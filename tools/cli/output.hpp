// How programs print results: JSON (nlohmann/json, kept out of the public headers) and
// human-readable lines, with colour only on a terminal when NO_COLOR is unset.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "mavi/check.hpp"
#include "mavi/discover.hpp"
#include "mavi/media_info.hpp"
#include "mavi/rules.hpp"

namespace mavi::cli {
// Objects keep their keys in insertion order, so documents read top-down ("path" first).
using Json = nlohmann::ordered_json;
}  // namespace mavi::cli

// to_json overloads live in namespace mavi so nlohmann/json finds them by ADL.
namespace mavi {

void to_json(cli::Json& j, const VideoInfo& video);
void to_json(cli::Json& j, const AudioInfo& audio);
void to_json(cli::Json& j, const StreamInfo& stream);
void to_json(cli::Json& j, const DeepCheck& deep);
void to_json(cli::Json& j, const MediaInfo& info);
void to_json(cli::Json& j, const Finding& finding);
void to_json(cli::Json& j, const Rules& rules);
void to_json(cli::Json& j, const DiscoverNote& note);
// {"path","verdict","action","findings","elapsed_seconds"} plus "media" when it probed.
void to_json(cli::Json& j, const CheckResult& result);

}  // namespace mavi

namespace mavi::cli {

// Serialises for printing. Invalid UTF-8 (file names are bytes) is replaced, never thrown on.
std::string dump(const Json& j);
// The same on one line (JSON Lines).
std::string dump_line(const Json& j);

// A rational as FFmpeg prints it ("30000/1001", "16:9"); null when unknown.
Json rational_json(const Rational& r, char separator);

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

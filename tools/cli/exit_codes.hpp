// The one table of exit statuses shared by every mavi program (documented in docs/exit-codes.md).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "mavi/rules.hpp"

namespace mavi::cli {

enum class ExitCode : int {
  ok = 0,             // every file is acceptable as it is (or was handled)
  fixable = 1,        // some files need fixing (or some failed), none rejected
  rejected = 2,       // some file is rejected, or a named PATH is missing or unreadable
  usage = 64,         // bad command line (EX_USAGE from sysexits.h)
  internal = 70,      // a bug or unexpected failure in the program (EX_SOFTWARE)
  interrupted = 130,  // stopped by SIGINT (128 + 2)
  terminated = 143,   // stopped by SIGTERM (128 + 15)
};

struct ExitCodeInfo {
  ExitCode code;
  std::string_view name;
  std::string_view meaning;
};

// Every exit status, in increasing order, with a one-line meaning.
std::span<const ExitCodeInfo> exit_code_table() noexcept;

constexpr int to_int(ExitCode code) noexcept {
  return static_cast<int>(code);
}

// The status for a run whose worst verdict is `worst` (ok -> 0, fixable -> 1, rejected -> 2).
ExitCode exit_code_for(VerdictKind worst) noexcept;

// The status the shell reports for a run stopped by `signal_number` (SIGINT -> 130, ...).
ExitCode exit_code_for_signal(int signal_number) noexcept;

// "Exit status:" block for --help, built from the table.
std::string exit_codes_help();

}  // namespace mavi::cli

// The exit statuses of every mavi program, one table per program (docs/exit-codes.md; also
// printed at the end of each program's --help).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "mavi/rules.hpp"

namespace mavi::cli {

enum class ExitCode : int {
  ok = 0,                // mavi-check: every file acceptable; the others: everything done
  fixable = 1,           // mavi-check: some files need fixing, none rejected
  failed = 1,            // the others: some file failed or was rejected; the sandbox: no start
  rejected = 2,          // mavi-check: some file is rejected, or a named PATH is missing
  usage = 64,            // bad command line (EX_USAGE from sysexits.h)
  unavailable = 69,      // MAVI did not answer for longer than --outage-timeout (EX_UNAVAILABLE)
  internal = 70,         // a bug, or the results could not be written (EX_SOFTWARE)
  journal_lost = 74,     // the journal stopped working during the run (EX_IOERR)
  journal_busy = 75,     // another run holds the journal: try again later (EX_TEMPFAIL)
  account_refused = 77,  // MAVI refuses the key or the account: bad key, no credits (EX_NOPERM)
  interrupted = 130,     // stopped by SIGINT (128 + 2)
  terminated = 143,      // stopped by SIGTERM (128 + 15)
};

enum class Program { check, prepare_and_upload, sandbox };

struct ExitCodeInfo {
  ExitCode code;
  std::string_view meaning;
};

// The statuses `program` can end with, in increasing order, each with a one-line meaning.
std::span<const ExitCodeInfo> exit_code_table(Program program) noexcept;

constexpr int to_int(ExitCode code) noexcept {
  return static_cast<int>(code);
}

// The status for a check whose worst verdict is `worst` (ok -> 0, fixable -> 1, rejected -> 2).
ExitCode exit_code_for(VerdictKind worst) noexcept;

// The status the shell reports for a run stopped by `signal_number` (SIGINT -> 130, ...).
ExitCode exit_code_for_signal(int signal_number) noexcept;

// "Exit status:" block for `program`'s --help, built from its table.
std::string exit_codes_help(Program program);

}  // namespace mavi::cli

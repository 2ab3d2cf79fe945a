#include "cli/exit_codes.hpp"

#include <csignal>

namespace mavi::cli {

namespace {

constexpr ExitCodeInfo kCheck[] = {
    {ExitCode::ok, "every file is acceptable as it is"},
    {ExitCode::fixable, "some files need a remux or transcode, none is rejected"},
    {ExitCode::rejected,
     "some file is rejected or unreadable, or a named PATH is missing or unusable"},
    {ExitCode::usage, "bad command line (unknown option, bad value, no PATH)"},
    {ExitCode::internal, "internal failure (a bug), or the results could not be written"},
    {ExitCode::interrupted, "stopped by SIGINT (Ctrl-C)"},
    {ExitCode::terminated, "stopped by SIGTERM"},
};

constexpr ExitCodeInfo kPrepareAndUpload[] = {
    {ExitCode::ok,
     "every file was uploaded (now or earlier), or prepared with --no-upload; with --delete or "
     "--delete-duplicates: every video asked for was deleted (or nothing was left to delete)"},
    {ExitCode::failed,
     "some file failed or was rejected (the others were done), or a folder or the journal "
     "could not be used; with --delete or --delete-duplicates: some video was refused or MAVI "
     "did not delete it"},
    {ExitCode::usage, "bad command line (unknown option, bad value, no PATH, no API key)"},
    {ExitCode::unavailable,
     "MAVI unavailable: it did not answer for longer than --outage-timeout; the files not "
     "uploaded are left pending for a re-run"},
    {ExitCode::internal, "internal failure (a bug), or the report could not be written"},
    {ExitCode::journal_lost,
     "the journal was removed, moved or became unwritable during the run: stopped at once, "
     "the files not done left for the next run"},
    {ExitCode::journal_busy, "another run holds the journal (its PID is named); try again later"},
    {ExitCode::account_refused,
     "MAVI refused the key or the account (invalid key, no credits, account disabled): stopped "
     "after the first such answer, the other files left pending for a re-run"},
    {ExitCode::interrupted, "stopped by SIGINT (Ctrl-C); a re-run finishes the batch"},
    {ExitCode::terminated, "stopped by SIGTERM; a re-run finishes the batch"},
};

constexpr ExitCodeInfo kSandbox[] = {
    {ExitCode::ok, "stopped by SIGINT or SIGTERM (the normal end of a server)"},
    {ExitCode::failed, "could not start: port in use, store folder not usable"},
    {ExitCode::usage, "bad command line"},
    {ExitCode::internal, "internal failure, or the listening line could not be written"},
};

}  // namespace

std::span<const ExitCodeInfo> exit_code_table(Program program) noexcept {
  switch (program) {
    case Program::check:
      return kCheck;
    case Program::prepare_and_upload:
      return kPrepareAndUpload;
    case Program::sandbox:
      return kSandbox;
  }
  return kCheck;
}

ExitCode exit_code_for(VerdictKind worst) noexcept {
  switch (worst) {
    case VerdictKind::ok:
      return ExitCode::ok;
    case VerdictKind::fixable:
      return ExitCode::fixable;
    case VerdictKind::rejected:
      return ExitCode::rejected;
  }
  return ExitCode::internal;
}

ExitCode exit_code_for_signal(int signal_number) noexcept {
  return signal_number == SIGINT ? ExitCode::interrupted : ExitCode::terminated;
}

std::string exit_codes_help(Program program) {
  std::string text = "Exit status:\n";
  for (const auto& row : exit_code_table(program)) {
    std::string code = std::to_string(to_int(row.code));
    code.resize(5, ' ');
    text += "  " + code + std::string(row.meaning) + "\n";
  }
  return text;
}

}  // namespace mavi::cli

#include "cli/exit_codes.hpp"

#include <csignal>

namespace mavi::cli {

namespace {

constexpr ExitCodeInfo kTable[] = {
    {ExitCode::ok, "ok", "every file is acceptable as it is"},
    {ExitCode::fixable, "fixable", "some files need a remux or transcode, none is rejected"},
    {ExitCode::rejected, "rejected",
     "some file is rejected or unreadable, or a named PATH is missing or unusable"},
    {ExitCode::usage, "usage", "bad command line (unknown option, bad value, no PATH)"},
    {ExitCode::internal, "internal", "unexpected internal failure (a bug: please report it)"},
    {ExitCode::interrupted, "interrupted", "stopped by SIGINT (Ctrl-C)"},
    {ExitCode::terminated, "terminated", "stopped by SIGTERM"},
};

}  // namespace

std::span<const ExitCodeInfo> exit_code_table() noexcept {
  return kTable;
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

std::string exit_codes_help() {
  std::string text = "Exit status:\n";
  for (const auto& row : kTable) {
    std::string code = std::to_string(to_int(row.code));
    code.resize(5, ' ');
    text += "  " + code + std::string(row.meaning) + "\n";
  }
  return text;
}

}  // namespace mavi::cli

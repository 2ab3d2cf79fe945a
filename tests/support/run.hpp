// Run a program as a child process and capture what it prints, for CLI tests and oracles.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace mavi::test {

struct RunResult {
  int exit_code = -1;  // exit status, or 128 + signal number when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

struct RunOptions {
  std::map<std::string, std::string> env;  // added to (or overriding) the current environment
  std::string stdin_data;                  // written to the child's stdin, then closed
  std::chrono::seconds timeout{300};       // the child is killed (SIGKILL) after this
  // stderr is a pseudo-terminal (isatty() is true there) instead of a pipe; RunResult::err then
  // holds what the program drew on that terminal.
  bool stderr_terminal = false;
};

RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

// True when `name` is found on PATH (for optional oracles such as ffprobe).
bool on_path(const std::string& name);

}  // namespace mavi::test

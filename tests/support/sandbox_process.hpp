// SandboxProcess: runs build/bin/mavi-sandbox as a child process for a test, learns its URL
// from the first stdout line, and stops it with SIGTERM when the test is done.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace mavi::test {

class SandboxProcess {
 public:
  // Starts `mavi-sandbox --port 0 ARGS...` (add "--quiet" etc. as needed) and waits for its
  // "listening on http://HOST:PORT" line. Throws std::runtime_error, with the sandbox's stderr,
  // when it does not start.
  explicit SandboxProcess(std::vector<std::string> args = {},
                          std::map<std::string, std::string> env = {});
  ~SandboxProcess();
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;

  const std::string& url() const { return url_; }  // "http://127.0.0.1:PORT"
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& first_line() const { return first_line_; }

  // Sends `signal` and waits for the exit (SIGKILL after 30 s as a safety net). Returns the exit
  // status, or 128 + signal number when killed by a signal. Later calls return the same value.
  int stop(int signal = 15);
  // Everything the sandbox wrote to stderr so far (the request log).
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int exit_code_ = -1;
  std::filesystem::path log_path_;
  std::string first_line_;
  std::string url_;
  int port_ = 0;
};

}  // namespace mavi::test

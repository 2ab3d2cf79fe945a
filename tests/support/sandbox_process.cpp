#include "support/sandbox_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/paths.hpp"

namespace mavi::test {

SandboxProcess::SandboxProcess(std::vector<std::string> args,
                               std::map<std::string, std::string> env) {
  std::string log_pattern =
      (std::filesystem::temp_directory_path() / "mavi-sandbox-log-XXXXXX").string();
  const int log_fd = mkostemp(log_pattern.data(), O_CLOEXEC);
  if (log_fd < 0)
    throw std::runtime_error("mkstemp failed");
  log_path_ = log_pattern;
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");

  std::vector<std::string> argv{program("mavi-sandbox").string(), "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0)
      dup2(null_fd, STDIN_FILENO);
    for (const auto& [key, value] : env)
      setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> raw;
    for (auto& a : argv)
      raw.push_back(a.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    std::fprintf(stderr, "exec %s: %s\n", raw[0], std::strerror(errno));
    _exit(127);
  }
  ::close(log_fd);
  ::close(out_pipe[1]);
  stdout_fd_ = out_pipe[0];

  // The first line, read byte by byte so nothing after it is consumed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&fd, 1, 100);
    if (ready > 0) {
      char c;
      const ssize_t r = ::read(stdout_fd_, &c, 1);
      if (r == 1 && c != '\n') {
        first_line_.push_back(c);
        continue;
      }
      if (r == 1)
        break;
      stop(SIGKILL);
      throw std::runtime_error("mavi-sandbox exited before listening: " + log());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop(SIGKILL);
      throw std::runtime_error("mavi-sandbox did not start within 30 s: " + log());
    }
  }
  static const std::regex pattern(R"(^listening on (http://[^:/]+:([0-9]+))$)");
  std::smatch m;
  if (!std::regex_match(first_line_, m, pattern)) {
    stop(SIGKILL);
    throw std::runtime_error("unexpected first line from mavi-sandbox: " + first_line_);
  }
  url_ = m[1].str();
  port_ = std::stoi(m[2].str());
}

SandboxProcess::~SandboxProcess() {
  stop(SIGTERM);
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

int SandboxProcess::stop(int signal) {
  if (pid_ <= 0)
    return exit_code_;
  ::kill(pid_, signal);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_)
      break;
    if (r < 0 && errno != EINTR)
      break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status))
    exit_code_ = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    exit_code_ = 128 + WTERMSIG(status);
  pid_ = -1;
  if (stdout_fd_ >= 0)
    ::close(stdout_fd_);
  stdout_fd_ = -1;
  return exit_code_;
}

std::string SandboxProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace mavi::test

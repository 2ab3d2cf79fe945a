#include "support/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace mavi::test {

namespace {

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty())
    throw std::invalid_argument("run: empty argv");
  int out_pipe[2], err_pipe[2], in_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(in_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (options.stderr_terminal) {
    // err_pipe[0] is the terminal's master side (read here), err_pipe[1] the child's stderr.
    if (openpty(&err_pipe[0], &err_pipe[1], nullptr, nullptr, nullptr) != 0)
      throw std::runtime_error(std::string("openpty: ") + std::strerror(errno));
    fcntl(err_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(err_pipe[1], F_SETFD, FD_CLOEXEC);
  } else if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }

  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    for (const auto& [key, value] : options.env)
      setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }

  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int in_fd = in_pipe[1], out_fd = out_pipe[0], err_fd = err_pipe[0];
  fcntl(in_fd, F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (options.stdin_data.empty())
    close_fd(in_fd);

  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool killed = false;
  char buffer[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    pollfd fds[3];
    int n = 0;
    if (out_fd >= 0)
      fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0)
      fds[n++] = {err_fd, POLLIN, 0};
    if (in_fd >= 0)
      fds[n++] = {in_fd, POLLOUT, 0};
    int ready = ::poll(fds, n, 200);
    if (ready < 0 && errno != EINTR)
      break;
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0)
        continue;
      if (fds[i].fd == in_fd) {
        ssize_t w = ::write(in_fd, options.stdin_data.data() + written,
                            options.stdin_data.size() - written);
        if (w > 0)
          written += static_cast<std::size_t>(w);
        if (w < 0 || written == options.stdin_data.size())
          close_fd(in_fd);
        continue;
      }
      ssize_t r = ::read(fds[i].fd, buffer, sizeof buffer);
      // A terminal's master side reads EIO once the child has closed the last slave.
      if (r <= 0) {
        if (fds[i].fd == out_fd)
          close_fd(out_fd);
        else
          close_fd(err_fd);
        continue;
      }
      (fds[i].fd == out_fd ? result.out : result.err).append(buffer, static_cast<std::size_t>(r));
    }
  }
  close_fd(in_fd);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr)
    return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0)
      return true;
  }
  return false;
}

}  // namespace mavi::test

#include "journal/journal_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "mavi/error.hpp"

namespace mavi::detail {

namespace {

// The PID the holder wrote, or "" when unknown.
std::string holder(int fd) {
  char text[32] = {};
  const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
  std::string pid(text, got > 0 ? static_cast<std::size_t>(got) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
    pid.pop_back();
  return pid;
}

}  // namespace

JournalLock::JournalLock(const std::filesystem::path& journal, std::chrono::milliseconds wait,
                         const CancelToken& cancel) {
  const std::string path = journal.string() + ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    const int err = errno;
    throw Error(Errc::journal,
                "journal " + journal.string() + ": cannot create its lock file " + path + ": " +
                    std::strerror(err),
                err);
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR)
      continue;
    if (err == EWOULDBLOCK && std::chrono::steady_clock::now() < deadline && !cancel.requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    const std::string pid = holder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK) {
      throw Error(Errc::journal,
                  "journal " + journal.string() + ": cannot lock it: " + std::strerror(err), err);
    }
    throw Error(Errc::journal_locked,
                "the journal " + journal.string() + " is in use by another run" +
                    (pid.empty() ? std::string() : " (PID " + pid + ")") +
                    ": two runs of one batch would upload files twice",
                err);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The lock holds all the same; only the message of a refused run loses the PID.
  }
}

JournalLock::~JournalLock() {
  if (fd_ >= 0)
    ::close(fd_);  // releases the lock
}

}  // namespace mavi::detail

// JournalLock: one run per journal. An exclusive flock(2) on "JOURNAL.lock" (not on the
// database itself: on NFS flock is emulated with the fcntl locks SQLite takes), holding the
// owner's PID so that a refused run can say who holds it. Released when the process ends,
// however it ends.
#pragma once

#include <chrono>
#include <filesystem>

#include "mavi/cancel.hpp"

namespace mavi::detail {

class JournalLock {
 public:
  // Takes the lock, waiting at most `wait` (polling `cancel`) for another holder. Throws
  // mavi::Error(Errc::journal_locked) naming the journal and the holder's PID, or
  // Errc::journal when the lock file cannot be created.
  JournalLock(const std::filesystem::path& journal, std::chrono::milliseconds wait,
              const CancelToken& cancel);
  ~JournalLock();
  JournalLock(const JournalLock&) = delete;
  JournalLock& operator=(const JournalLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace mavi::detail

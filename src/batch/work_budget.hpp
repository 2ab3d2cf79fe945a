// WorkBudget: bounds the disk the prepared-but-not-yet-uploaded files take, so a batch of
// thousands of files never fills the work folder while uploads lag behind.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace mavi::detail::batch {

class WorkBudget {
 public:
  explicit WorkBudget(std::uintmax_t limit_bytes) : limit_(limit_bytes) {}

  // Blocks until `bytes` fit under the limit (always granted when nothing else is held, so
  // one file larger than the limit still goes through) or `stop` returns true (then false).
  bool acquire(std::uintmax_t bytes, const std::function<bool()>& stop);
  // Replaces a reservation by the real size once it is known.
  void adjust(std::uintmax_t reserved, std::uintmax_t actual);
  void release(std::uintmax_t bytes);

 private:
  std::uintmax_t limit_;  // 0: unlimited
  std::uintmax_t held_ = 0;
  std::mutex mutex_;
  std::condition_variable freed_;
};

}  // namespace mavi::detail::batch

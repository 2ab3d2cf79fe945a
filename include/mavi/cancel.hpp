// CancelToken: how a caller stops work it started (a probe's deep check, a preparation, an
// upload, a whole batch), without touching any other work in the process.
#pragma once

#include <atomic>
#include <memory>

namespace mavi {

// Copies share one flag: keep one, hand copies to the work through its options, and call
// request() to stop that work soon (it then throws Error(Errc::cancelled), leaving no
// partial output). A default-constructed token is never requested unless someone calls
// request() on it or a copy. request() is async-signal-safe: a signal handler may call it on a
// token that outlives the handler.
class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}

  void request() const noexcept { flag_->store(true, std::memory_order_relaxed); }
  bool requested() const noexcept { return flag_->load(std::memory_order_relaxed); }

  friend bool operator==(const CancelToken& a, const CancelToken& b) noexcept {
    return a.flag_ == b.flag_;
  }

 private:
  static_assert(std::atomic<bool>::is_always_lock_free, "request() runs in signal handlers");
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace mavi

// Process-wide pacing of uploads: every Client with the same base URL shares one schedule,
// so N uploads per minute holds however many clients or threads upload.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace mavi::detail {

class Pacer {
 public:
  // The pacer shared by every caller using `key` (the base URL).
  static std::shared_ptr<Pacer> for_key(const std::string& key);

  // Reserves the next upload slot at least 60/uploads_per_minute seconds after the previous
  // one (the first is immediate) and returns when it may start. While waiting,
  // `keep_waiting` is polled a few times per second; when it returns false the slot is
  // given back and acquire returns false.
  bool acquire(double uploads_per_minute, const std::function<bool()>& keep_waiting);

  // The earliest start of the next reservation (a time in the past: at once). Lets tests
  // check the schedule without timing sleeps.
  std::chrono::steady_clock::time_point next_slot() const;

 private:
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point next_slot_{};
};

// Sleeps for `duration`, polling `keep_waiting`; false when it asked to stop.
bool interruptible_sleep(std::chrono::steady_clock::duration duration,
                         const std::function<bool()>& keep_waiting);

}  // namespace mavi::detail

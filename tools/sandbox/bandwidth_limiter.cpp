#include "sandbox/bandwidth_limiter.hpp"

#include <algorithm>
#include <thread>

namespace mavi::cli::sandbox {

void BandwidthLimiter::consume(std::size_t bytes) {
  if (rate_ == 0 || bytes == 0)
    return;
  const auto cost = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(static_cast<double>(bytes) / static_cast<double>(rate_)));
  std::chrono::steady_clock::time_point until;
  {
    std::lock_guard lock(mutex_);
    // Idle time is not banked: a burst after a pause is still paced.
    next_free_ = std::max(next_free_, std::chrono::steady_clock::now()) + cost;
    until = next_free_;
  }
  std::this_thread::sleep_until(until);
}

}  // namespace mavi::cli::sandbox

// BandwidthLimiter: paces the reading of request bodies to a rate shared by all connections,
// to simulate an uplink. TCP flow control passes the pace on to the client.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace mavi::cli::sandbox {

class BandwidthLimiter {
 public:
  // 0 bytes per second: unlimited.
  explicit BandwidthLimiter(std::uint64_t bytes_per_second) : rate_(bytes_per_second) {}

  // Accounts for `bytes` just read and sleeps until reading them fits the rate.
  void consume(std::size_t bytes);

  bool unlimited() const { return rate_ == 0; }

 private:
  std::uint64_t rate_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point next_free_{};
};

}  // namespace mavi::cli::sandbox

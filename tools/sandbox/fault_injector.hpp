// FaultInjector: decides, reproducibly from a seed, which uploads fail and how, and enforces
// the sandbox's upload rate limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace mavi::cli::sandbox {

struct FaultOptions {
  double fail_rate = 0;           // fraction of uploads answered HTTP 500 or 503
  double drop_rate = 0;           // fraction of uploads whose connection is closed mid-body
  double stall_rate = 0;          // fraction that stop being read mid-body and are never answered
  double lost_reply_rate = 0;     // fraction stored and registered, then closed without an answer
  int rate_limit_per_minute = 0;  // 0: unlimited
  // After this many uploads, every upload is refused with `refusal_code` (the account-wide
  // answers: 0401 invalid key, 0402 no credits, 0403 account disabled); -1: never.
  int refuse_after = -1;
  std::string refusal_code = "0401";
  std::uint64_t seed = 0;
};

enum class UploadFault { none, fail_500, fail_503, drop, stall, lost_reply };

class FaultInjector {
 public:
  explicit FaultInjector(const FaultOptions& options);

  // One draw per upload, in arrival order: the same seed and the same order of uploads give
  // the same faults.
  UploadFault decide_upload();

  // Counts an upload against the per-minute limit. Returns the seconds to wait before trying
  // again when the limit is reached (nothing is counted then), std::nullopt when admitted.
  std::optional<int> admit_upload(
      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  // True when this upload is to be refused (--refuse-after); otherwise counts it.
  bool refuses_upload();

  const FaultOptions& options() const { return options_; }

 private:
  FaultOptions options_;
  std::mutex mutex_;
  std::mt19937_64 random_;
  std::deque<std::chrono::steady_clock::time_point> admitted_;  // within the last minute
  int uploads_taken_ = 0;
};

}  // namespace mavi::cli::sandbox

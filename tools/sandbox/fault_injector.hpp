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
  int rate_limit_per_minute = 0;  // uploads per rate_window, account-wide; 0: unlimited
  // The upload limit's window: a minute, as documented; shorter ones let tests and benchmarks
  // run MAVI's limit at a faster clock.
  std::chrono::milliseconds rate_window{60'000};
  int list_per_second = 0;    // listings (searchDB, list_videos); 0: unlimited
  int status_per_second = 0;  // one video's status (get_metadata); 0: unlimited
  // v2's endpoints each take this many requests a second, account-wide (its rate-limit page:
  // upload, signed URL, asset metadata and delete at 1 QPS each). 0: v2 shares the limits above
  // (uploads and signed URLs as uploads, metadata and deletes as status look-ups).
  int v2_per_second = 0;
  // How a limited request is answered: code 0429 with this HTTP status (MAVI's pages show 200,
  // 429 and, for v2, 400), with a Retry-After header or (as documented) without one.
  int rate_limited_http_status = 200;
  bool retry_after = true;
  // After this many uploads, every upload is refused with `refusal_code` (the account-wide
  // answers: 0401 invalid key, 0402 no credits, 0403 account disabled); -1: never.
  int refuse_after = -1;
  std::string refusal_code = "0401";
  std::uint64_t seed = 0;
};

enum class UploadFault { none, fail_500, fail_503, drop, stall, lost_reply };

// The kinds of request MAVI limits separately. The v2 kinds fall back to upload (v2_upload,
// v2_signed_url) or status (v2_metadata, v2_delete) without FaultOptions::v2_per_second, and
// are counted there in rate_limited_answers().
enum class Limited { upload, list, status, v2_upload, v2_signed_url, v2_metadata, v2_delete };

// A sliding window: at most `limit` requests in any `window`.
class RateWindow {
 public:
  RateWindow(int limit, std::chrono::steady_clock::duration window)
      : limit_(limit), window_(window) {}
  // std::nullopt when admitted (and counted); else the whole seconds until a slot frees.
  std::optional<int> admit(std::chrono::steady_clock::time_point now);

 private:
  int limit_;
  std::chrono::steady_clock::duration window_;
  std::deque<std::chrono::steady_clock::time_point> admitted_;
};

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
  // The same for any kind of request; counts the refusals (rate_limited_answers()).
  std::optional<int> admit(
      Limited kind, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  int rate_limited_answers(Limited kind) const;

  // True when this upload is to be refused (--refuse-after); otherwise counts it.
  bool refuses_upload();

  const FaultOptions& options() const { return options_; }

 private:
  FaultOptions options_;
  mutable std::mutex mutex_;
  std::mt19937_64 random_;
  RateWindow uploads_;
  RateWindow listings_;
  RateWindow statuses_;
  RateWindow v2_windows_[4];  // v2_upload .. v2_delete, in Limited's order
  int refused_[3] = {0, 0, 0};
  int uploads_taken_ = 0;
};

}  // namespace mavi::cli::sandbox

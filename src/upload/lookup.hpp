// The look-up-before-resend rule. An attempt can fail after MAVI got the whole body (the
// connection dropped while waiting for the answer, a stall, a 5xx after a complete send), and
// MAVI may have stored the video anyway: sending it again would store it twice. So before the
// next attempt the client looks the video up by name among uploads since the first attempt,
// and reports it found instead of sending it again.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "upload/retry.hpp"

namespace mavi::detail {

class ResendGuard {
 public:
  // Finds the most recent upload named like this one within a window (one try, no retries).
  using Find = std::function<std::optional<VideoRecord>(const TimeWindow& window)>;

  // `first_attempt`: when the upload started; lookups search from then minus `clock_skew`
  // (server and client clocks differ) to now plus `clock_skew`.
  ResendGuard(std::string name, Find find, LogFn log,
              std::chrono::system_clock::time_point first_attempt, std::chrono::seconds clock_skew);

  // Records an attempt's retryable failure. Rate limiting is answered before an upload is
  // stored; any other failure after the whole body went out may hide a stored upload.
  void after_retryable_failure(Errc kind, bool whole_body_sent);

  // True when a failed attempt may have been stored and no lookup has cleared it yet.
  bool lookup_pending() const noexcept { return pending_; }

  // A 0409 "duplicate request" answer to a retry: the earlier attempt probably went through,
  // so look it up rather than report the duplicate.
  static bool duplicate_of_earlier_attempt(Errc kind, int attempt) noexcept {
    return kind == Errc::duplicate && attempt > 1;
  }

  // Looks the video up. Found: returns it. Not found: the earlier attempts stored nothing, so
  // nothing is pending any more. Throws the lookup's mavi::Error and stays pending.
  std::optional<VideoRecord> look_up();

 private:
  std::string name_;
  Find find_;
  LogFn log_;
  std::chrono::system_clock::time_point first_attempt_;
  std::chrono::seconds clock_skew_;
  bool pending_ = false;
};

}  // namespace mavi::detail

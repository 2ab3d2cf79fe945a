// How long to wait between attempts, and retrying a lookup. The upload's own retry loop is
// in client.cpp; lookups retry here because they store nothing and need no pacing.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "upload/pacing.hpp"

namespace mavi::detail {

using LogFn = std::function<void(const std::string& line)>;

// Backoff before attempt `attempt` (2, 3, ...): base * 2^(attempt-2), capped, minus jitter.
std::chrono::milliseconds backoff_for(const RetryPolicy& policy, int attempt);

// A look-up MAVI keeps answering "rate limited" is given up after this many such answers
// (with the pace halving each time, that is hours).
inline constexpr int kMaxRateLimitedLookups = 12;

// Calls `fn` until it returns, retrying retryable mavi::Errors up to policy.max_attempts
// times with backoff; rethrows the last error. `fn` takes its requests' slots from `pacer`;
// a "rate limited" answer slows the pacer down and is retried without using up an attempt.
template <typename Fn>
auto with_retries(const RetryPolicy& policy, const LogFn& log, Pacer& pacer, double ceiling,
                  Fn fn) {
  int rate_limited = 0;
  for (int attempt = 1;; ++attempt) {
    try {
      auto result = fn();
      pacer.on_admitted(ceiling);
      return result;
    } catch (const Error& e) {
      if (e.kind() == Errc::rate_limited && ++rate_limited <= kMaxRateLimitedLookups) {
        pacer.on_rate_limited(ceiling, std::chrono::seconds{0});
        log("lookup rate limited: slowing look-ups to " +
            std::to_string(pacer.per_minute(ceiling)) + " a minute");
        --attempt;
        continue;
      }
      if (!is_retryable(e.kind()) || attempt >= policy.max_attempts)
        throw;
      const auto delay = backoff_for(policy, attempt + 1);
      log(std::string("lookup failed (") + std::string(to_string(e.kind())) + "), retrying in " +
          std::to_string(delay.count()) + " ms");
      interruptible_sleep(delay, {});
    }
  }
}

}  // namespace mavi::detail

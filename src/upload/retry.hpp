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

// Calls `fn` until it returns, retrying retryable mavi::Errors up to policy.max_attempts
// times with backoff; rethrows the last error.
template <typename Fn>
auto with_retries(const RetryPolicy& policy, const LogFn& log, Fn fn) {
  for (int attempt = 1;; ++attempt) {
    try {
      return fn();
    } catch (const Error& e) {
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

#include "upload/retry.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace mavi::detail {

std::chrono::milliseconds backoff_for(const RetryPolicy& policy, int attempt) {
  // Jitter spreads the retries of many clients that failed at the same moment.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const double exponent = std::min(attempt - 2, 30);
  double delay = static_cast<double>(policy.base_backoff.count()) * std::pow(2.0, exponent);
  delay = std::min(delay, static_cast<double>(policy.max_backoff.count()));
  if (policy.jitter > 0) {
    std::uniform_real_distribution<double> fraction(0.0, std::min(policy.jitter, 1.0));
    delay *= 1.0 - fraction(rng);
  }
  return std::chrono::milliseconds(static_cast<long long>(delay));
}

}  // namespace mavi::detail

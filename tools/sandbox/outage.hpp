// OutageSchedule: a staged time during which the sandbox is down, so that clients can be tested
// riding out an outage without the sandbox being killed: from `after` since the start, for
// `duration`, connections refused (the port closed) or every request answered 503.
#pragma once

#include <chrono>
#include <optional>

namespace mavi::cli::sandbox {

enum class OutageMode { refuse, unavailable };

struct OutageOptions {
  std::optional<std::chrono::milliseconds> after;  // unset: no outage
  std::chrono::milliseconds duration{0};
  OutageMode mode = OutageMode::refuse;
};

class OutageSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  explicit OutageSchedule(const OutageOptions& options, Clock::time_point start = Clock::now());

  bool enabled() const { return options_.after.has_value() && options_.duration.count() > 0; }
  OutageMode mode() const { return options_.mode; }
  Clock::time_point starts() const { return starts_; }
  Clock::time_point ends() const { return starts_ + options_.duration; }
  bool active(Clock::time_point now = Clock::now()) const {
    return enabled() && now >= starts_ && now < ends();
  }

 private:
  OutageOptions options_;
  Clock::time_point starts_;
};

}  // namespace mavi::cli::sandbox

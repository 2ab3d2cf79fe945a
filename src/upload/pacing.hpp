// Process-wide pacing of requests to MAVI: every Client with the same base URL shares one
// schedule per kind of request (uploads, listings, status look-ups), so a rate holds however
// many clients or threads send. MAVI's limits are per account and documented
// (docs/upload.md, "Rate limits"); the pacer also learns a stricter one: a "rate limited"
// answer (0429) halves its rate, and admitted requests probe back up towards the ceiling.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace mavi::detail {

class Pacer {
 public:
  using Clock = std::chrono::steady_clock;

  // The pacer shared by every caller using `key` (the base URL and the kind of request).
  static std::shared_ptr<Pacer> for_key(const std::string& key);

  // The spacing of requests at `per_minute`: 60/N s plus 1 %, so that a server counting
  // whole minutes (or timing the arrival a little late) never sees N+1 in one.
  static Clock::duration interval_for(double per_minute);

  // What a waiting caller is told while it waits for its slot.
  struct Wait {
    Clock::time_point slot;     // when the request may start
    double per_minute = 0;      // the pace in force (0: none)
    bool rate_limited = false;  // the pace is below the ceiling because MAVI said so
  };

  // Reserves the next slot at least interval_for(rate) after the previous one (the first is
  // immediate), where rate is the ceiling or the learned rate if lower, and returns when it
  // may start. `ceiling_per_minute` <= 0 sets no ceiling: requests are not paced until MAVI
  // answers "rate limited". While waiting, `keep_waiting` is polled a few times per second;
  // when it returns false the slot is given back and acquire returns false.
  bool acquire(double ceiling_per_minute, const std::function<bool()>& keep_waiting);
  bool acquire_observed(double ceiling_per_minute,
                        const std::function<bool(const Wait&)>& keep_waiting);

  // MAVI answered "rate limited": go back to the last pace that went through (a few requests
  // in a row at it), or halve the pace when there is none below what was being sent; push the
  // next slot out by one new interval (or by `retry_after` when the server gave one), and
  // remember the rate that was too fast so that probing back up stops short of it. Answers to
  // requests sent before the last slow-down (concurrent uploads) lower nothing again.
  void on_rate_limited(double ceiling_per_minute, std::chrono::seconds retry_after);

  // A request went through: after a few in a row the learned pace creeps back up towards the
  // ceiling.
  void on_admitted(double ceiling_per_minute);

  // The pace in force, per minute (0: not paced).
  double per_minute(double ceiling_per_minute) const;
  int rate_limited_answers() const;

  // The earliest start of the next reservation (a time in the past: at once). Lets tests
  // check the schedule without timing sleeps.
  Clock::time_point next_slot() const;

 private:
  double pace_locked(double ceiling) const;  // 0: unpaced

  mutable std::mutex mutex_;
  Clock::time_point next_slot_{};
  std::optional<double> learned_;  // per minute, set by the first 0429
  double too_fast_ = 0;            // the pace of the last 0429 (0: none)
  int admitted_in_a_row_ = 0;
  // The fastest learned pace at which kTrustedInARow requests in a row went through: where a
  // 0429 from probing higher goes back to, instead of halving.
  std::optional<double> good_;
  std::optional<Clock::time_point> slowed_at_;  // the last slow-down
  double spacing_pace_ = 0;                     // the pace the next slot was reserved at (0: none)
  double last_spaced_at_ = 0;  // the pace the latest request was spaced from its predecessor
  int rate_limited_answers_ = 0;
  std::deque<Clock::time_point> recent_;  // starts within the last minute
};

// Sleeps for `duration`, polling `keep_waiting`; false when it asked to stop.
bool interruptible_sleep(std::chrono::steady_clock::duration duration,
                         const std::function<bool()>& keep_waiting);

}  // namespace mavi::detail

#include "upload/pacing.hpp"

#include <algorithm>
#include <map>
#include <thread>

namespace mavi::detail {

namespace {

// The slowest the learned pace goes: one request an hour still finishes any batch.
constexpr double kSlowestPerMinute = 1.0 / 60.0;
// Probing back up: quickly to 90 % of the pace that was too fast, then by 10 % after this many
// requests in a row went through.
constexpr int kAdmittedBeforeProbe = 20;
// A pace is trusted (remembered as one that works, and climbed from) after this many requests
// in a row went through at it.
constexpr int kTrustedInARow = 3;

}  // namespace

std::shared_ptr<Pacer> Pacer::for_key(const std::string& key) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<Pacer>> registry;
  std::lock_guard lock(registry_mutex);
  auto& slot = registry[key];
  if (auto existing = slot.lock())
    return existing;
  auto created = std::make_shared<Pacer>();
  slot = created;
  return created;
}

Pacer::Clock::duration Pacer::interval_for(double per_minute) {
  using namespace std::chrono;
  return duration_cast<Clock::duration>(duration<double>(60.0 * 1.01 / per_minute));
}

double Pacer::pace_locked(double ceiling) const {
  if (!learned_)
    return ceiling > 0 ? ceiling : 0;
  return ceiling > 0 ? std::min(ceiling, *learned_) : *learned_;
}

bool Pacer::acquire(double ceiling_per_minute, const std::function<bool()>& keep_waiting) {
  return acquire_observed(ceiling_per_minute,
                          [&](const Wait&) { return !keep_waiting || keep_waiting(); });
}

bool Pacer::acquire_observed(double ceiling_per_minute,
                             const std::function<bool(const Wait&)>& keep_waiting) {
  Wait wait;
  Clock::time_point reserved_next;
  {
    std::lock_guard lock(mutex_);
    wait.per_minute = pace_locked(ceiling_per_minute);
    wait.rate_limited = learned_ && (ceiling_per_minute <= 0 || *learned_ < ceiling_per_minute);
    wait.slot = std::max(Clock::now(), next_slot_);
    if (wait.per_minute <= 0) {
      recent_.push_back(wait.slot);
      while (recent_.size() > 1 && wait.slot - recent_.front() > std::chrono::minutes(1))
        recent_.pop_front();
      return true;
    }
    next_slot_ = reserved_next = wait.slot + interval_for(wait.per_minute);
    // This request was spaced from the one before at the pace that reserved its slot: only
    // that pace is proven when it goes through.
    last_spaced_at_ = spacing_pace_;
    spacing_pace_ = wait.per_minute;
  }
  const auto slot = wait.slot;
  if (interruptible_sleep(slot - Clock::now(),
                          [&] { return !keep_waiting || keep_waiting(wait); })) {
    std::lock_guard lock(mutex_);
    recent_.push_back(slot);
    while (recent_.size() > 1 && slot - recent_.front() > std::chrono::minutes(1))
      recent_.pop_front();
    return true;
  }
  // Cancelled: give the slot back if nobody queued behind it.
  std::lock_guard lock(mutex_);
  if (next_slot_ == reserved_next)
    next_slot_ = slot;
  return false;
}

void Pacer::on_rate_limited(double ceiling_per_minute, std::chrono::seconds retry_after) {
  std::lock_guard lock(mutex_);
  ++rate_limited_answers_;
  admitted_in_a_row_ = 0;
  const auto now = Clock::now();
  // The pace the refused request was really spaced at (the schedule changes one request late).
  double sent_at = pace_locked(ceiling_per_minute);
  if (last_spaced_at_ > 0 && sent_at > 0)
    sent_at = std::min(sent_at, last_spaced_at_);
  const auto push_next_slot = [&] {
    next_slot_ = std::max({next_slot_, now + interval_for(*learned_),
                           now + std::chrono::duration_cast<Clock::duration>(retry_after)});
    spacing_pace_ = *learned_;
  };
  // Sent before the last slow-down took effect (another upload in flight): already answered.
  if (learned_ && slowed_at_ && now - *slowed_at_ < interval_for(*learned_)) {
    push_next_slot();
    return;
  }
  if (sent_at <= 0) {
    // Unpaced until now (a ceiling of 0: an account believed to have a high limit): what went
    // out in the last minute, counted as at least one a second, was too much.
    sent_at = std::max<double>(60.0, static_cast<double>(recent_.size()));
  }
  too_fast_ = sent_at;
  if (good_ && *good_ < 0.99 * sent_at) {
    learned_ = *good_;  // probing above a pace that works: back to it
  } else {
    learned_ = std::max(kSlowestPerMinute, sent_at / 2);
    good_.reset();  // what worked before does not any more (the limit went down)
  }
  slowed_at_ = now;
  push_next_slot();
}

void Pacer::on_admitted(double ceiling_per_minute) {
  std::lock_guard lock(mutex_);
  if (!learned_)
    return;
  ++admitted_in_a_row_;
  // The pace this request was really spaced at (the schedule changes one request late).
  const double proven = last_spaced_at_ > 0 ? std::min(last_spaced_at_, *learned_) : *learned_;
  if (admitted_in_a_row_ >= kTrustedInARow && (!good_ || *good_ < proven))
    good_ = proven;
  const double ceiling = ceiling_per_minute > 0 ? ceiling_per_minute : too_fast_ * 2;
  double next = *learned_;
  if (admitted_in_a_row_ < kTrustedInARow) {
    // Not yet trusted: stay at this pace.
  } else if (next < 0.9 * too_fast_) {
    next = std::min(next * 1.25, 0.9 * too_fast_);
  } else if (admitted_in_a_row_ >= kAdmittedBeforeProbe) {
    next *= 1.1;
    admitted_in_a_row_ = 0;
  }
  if (ceiling_per_minute > 0 && next >= ceiling) {
    learned_.reset();  // back at the ceiling: nothing learned any more
    good_.reset();
    return;
  }
  learned_ = std::min(next, ceiling);
}

double Pacer::per_minute(double ceiling_per_minute) const {
  std::lock_guard lock(mutex_);
  return pace_locked(ceiling_per_minute);
}

int Pacer::rate_limited_answers() const {
  std::lock_guard lock(mutex_);
  return rate_limited_answers_;
}

Pacer::Clock::time_point Pacer::next_slot() const {
  std::lock_guard lock(mutex_);
  return next_slot_;
}

bool interruptible_sleep(std::chrono::steady_clock::duration duration,
                         const std::function<bool()>& keep_waiting) {
  using namespace std::chrono;
  const auto until = steady_clock::now() + duration;
  while (true) {
    if (keep_waiting && !keep_waiting())
      return false;
    const auto now = steady_clock::now();
    if (now >= until)
      return true;
    std::this_thread::sleep_for(std::min<steady_clock::duration>(until - now, milliseconds(200)));
  }
}

}  // namespace mavi::detail

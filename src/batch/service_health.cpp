#include "batch/service_health.hpp"

#include <algorithm>

namespace mavi::detail::batch {

using SteadyClock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;

bool is_service_wide(Errc kind) noexcept {
  return kind == Errc::network || kind == Errc::timeout || kind == Errc::server_error;
}

ServiceHealth::ServiceHealth(Settings settings, ServiceObserver observer)
    : settings_(settings), observer_(std::move(observer)) {}

bool ServiceHealth::available() const {
  std::lock_guard lock(mutex_);
  return !down_;
}

void ServiceHealth::mark_unavailable(const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (down_)
    return;
  down_ = true;
  down_since_ = SteadyClock::now();
  delay_ = settings_.first_probe;
  next_probe_ = down_since_ + delay_;
  const auto now = SystemClock::now();
  outages_.push_back(Outage{now, now, reason});
  notify(ServiceEvent::Kind::unavailable);
  changed_.notify_all();
}

ServiceHealth::Wait ServiceHealth::wait_until_available(const std::function<bool()>& probe,
                                                        const std::function<bool()>& stopping) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!down_)
      return Wait::available;
    if (timed_out_)
      return Wait::timed_out;
    if (stopping())
      return Wait::stopped;
    const auto now = SteadyClock::now();
    if (!probing_ && now >= next_probe_) {
      probing_ = true;
      lock.unlock();
      bool answered = false;
      try {
        answered = probe();
      } catch (...) {
        // A probe that cannot be made counts as no answer.
      }
      lock.lock();
      probing_ = false;
      if (answered) {
        down_ = false;
        outages_.back().to = SystemClock::now();
        notify(ServiceEvent::Kind::restored);
        changed_.notify_all();
        return Wait::available;
      }
      const auto deadline = down_since_ + settings_.timeout;
      if (SteadyClock::now() >= deadline) {
        timed_out_ = true;
        changed_.notify_all();
        return Wait::timed_out;
      }
      // The last probe comes at the deadline, not a whole delay after it.
      delay_ = std::min(delay_ * 2, settings_.max_probe);
      next_probe_ = std::min(SteadyClock::now() + delay_, deadline);
      notify(ServiceEvent::Kind::probe_failed);
      changed_.notify_all();
      continue;
    }
    // Short slices: a stop request is seen within a tenth of a second.
    const auto slice = now + std::chrono::milliseconds(100);
    changed_.wait_until(lock, probing_ ? slice : std::min(next_probe_, slice));
  }
}

std::vector<Outage> ServiceHealth::outages() const {
  std::lock_guard lock(mutex_);
  std::vector<Outage> all = outages_;
  if (down_)
    all.back().to = SystemClock::now();
  return all;
}

void ServiceHealth::close() {
  std::lock_guard lock(mutex_);
  if (down_) {
    outages_.back().to = SystemClock::now();
    down_ = false;
  }
}

void ServiceHealth::notify(ServiceEvent::Kind kind) const {
  if (!observer_)
    return;
  ServiceEvent event{};
  event.kind = kind;
  event.outage = outages_.back();
  if (kind != ServiceEvent::Kind::restored) {
    event.outage.to = SystemClock::now();
    event.next_probe = SystemClock::now() + std::chrono::duration_cast<SystemClock::duration>(
                                                next_probe_ - SteadyClock::now());
  }
  try {
    observer_(event);
  } catch (...) {
    // An observer must not throw; a broken one must not break the batch either.
  }
}

}  // namespace mavi::detail::batch

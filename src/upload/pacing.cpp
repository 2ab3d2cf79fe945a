#include "upload/pacing.hpp"

#include <map>
#include <thread>

namespace mavi::detail {

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

bool Pacer::acquire(double uploads_per_minute, const std::function<bool()>& keep_waiting) {
  if (uploads_per_minute <= 0)
    return true;
  using namespace std::chrono;
  const auto interval =
      duration_cast<steady_clock::duration>(duration<double>(60.0 / uploads_per_minute));
  steady_clock::time_point slot;
  {
    std::lock_guard lock(mutex_);
    slot = std::max(steady_clock::now(), next_slot_);
    next_slot_ = slot + interval;
  }
  if (interruptible_sleep(slot - steady_clock::now(), keep_waiting))
    return true;
  // Cancelled: give the slot back if nobody queued behind it.
  std::lock_guard lock(mutex_);
  if (next_slot_ == slot + interval)
    next_slot_ = slot;
  return false;
}

std::chrono::steady_clock::time_point Pacer::next_slot() const {
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

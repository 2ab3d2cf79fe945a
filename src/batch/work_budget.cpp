#include "batch/work_budget.hpp"

#include <algorithm>
#include <chrono>

namespace mavi::detail::batch {

bool WorkBudget::acquire(std::uintmax_t bytes, const std::function<bool()>& stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (limit_ == 0 || held_ == 0 || held_ + bytes <= limit_) {
      held_ += bytes;
      return true;
    }
    if (stop && stop())
      return false;
    // Woken by release(); the timeout only lets `stop` be polled.
    freed_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void WorkBudget::adjust(std::uintmax_t reserved, std::uintmax_t actual) {
  {
    std::lock_guard lock(mutex_);
    held_ = held_ - std::min(held_, reserved) + actual;
  }
  freed_.notify_all();
}

void WorkBudget::release(std::uintmax_t bytes) {
  {
    std::lock_guard lock(mutex_);
    held_ -= std::min(held_, bytes);
  }
  freed_.notify_all();
}

}  // namespace mavi::detail::batch

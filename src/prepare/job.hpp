// One preparation's stop state, shared by its reading and writing threads and FFmpeg's I/O.
#pragma once

#include <atomic>

#include "mavi/cancel.hpp"

namespace mavi::detail {

static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler must be able to set it");

// Stopped by its own failure (stop) or by the caller's token.
struct Job {
  std::atomic<bool> stop{false};
  CancelToken cancel;
  bool stopped() const noexcept { return stop.load() || cancel.requested(); }
};

// An AVIOInterruptCB callback; `opaque` is the Job. Non-zero (stop) once the job is stopped.
inline int interrupt_cb(void* opaque) {
  auto* job = static_cast<Job*>(opaque);
  return job->stopped() ? 1 : 0;
}

}  // namespace mavi::detail

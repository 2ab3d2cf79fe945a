#include "cli/allocator.hpp"

#include <malloc.h>

namespace mavi::cli {

void keep_freed_memory_for_reuse() noexcept {
  // Blocks below 32 MiB (glibc's largest mmap threshold) come from the arenas, and an arena
  // keeps up to 128 MiB of free memory at its top instead of returning it at once.
  constexpr int kMmapThreshold = 32 * 1024 * 1024;
  constexpr int kTrimThreshold = 128 * 1024 * 1024;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

}  // namespace mavi::cli

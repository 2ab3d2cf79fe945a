// Process-wide malloc settings for the programs (a library must not change them for its host).
#pragma once

namespace mavi::cli {

// Demuxing and decoding allocate and free buffers of one to a few MB per packet or frame on
// worker threads. With glibc's defaults those come from fresh mmap()s or trimmed arena tops, so
// every packet pays page faults to zero memory it just gave back; keeping freed memory for reuse
// removed about a tenth of a remux's CPU time. No effect under sanitizers (their own malloc).
void keep_freed_memory_for_reuse() noexcept;

}  // namespace mavi::cli

// probe(): read a file's headers (and optionally decode it) into a MediaInfo.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "mavi/cancel.hpp"
#include "mavi/media_info.hpp"

namespace mavi {

struct ProbeOptions {
  // Bounds on how much avformat_find_stream_info may read: probing stays fast on huge files.
  std::int64_t probe_size_bytes = 5'000'000;
  std::chrono::microseconds analyze_duration{5'000'000};
  // Decode every stream to find corruption headers hide, for at most deep_time_limit.
  bool deep = false;
  std::chrono::milliseconds deep_time_limit{60'000};
  // check() only: keep the file open in CheckResult::opened for prepare().
  bool keep_open = false;
  CancelToken cancel;  // request() stops a deep check soon (Errc::cancelled)
};

// Throws mavi::Error: not_found, permission_denied, empty_file, not_media (no demuxer
// recognises the content), unreadable (recognised but broken), io. The file is opened
// read-only and never modified.
MediaInfo probe(const std::filesystem::path& path, const ProbeOptions& options = {});

// True for "http://..." and "https://..." (any case): probe() and check() read such a source
// over HTTP(S) instead of as a file; network failures are Errc::network.
bool is_remote_source(std::string_view source) noexcept;

// The same for bytes already in memory (read through a custom AVIOContext, no temporary
// file); `name` is used in messages and as MediaInfo::path.
MediaInfo probe_memory(std::span<const unsigned char> data, const std::string& name,
                       const ProbeOptions& options = {});

}  // namespace mavi

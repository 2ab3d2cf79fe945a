// SandboxConfig: everything mavi-sandbox's options decide, as plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sandbox/fault_injector.hpp"
#include "sandbox/outage.hpp"

namespace mavi::cli::sandbox {

struct SandboxConfig {
  std::string host = "127.0.0.1";
  int port = 0;                        // 0: any free port
  std::optional<std::string> api_key;  // unset: every request is accepted
  std::filesystem::path store_dir;     // must exist
  std::chrono::milliseconds callback_delay{2000};
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds stall_duration{30000};   // how long a stalled upload hangs
  std::uint64_t max_bandwidth_bytes_per_second = 0;  // 0: unlimited
  FaultOptions faults;
  OutageOptions outage;                    // a staged outage (--outage-after, --outage-seconds)
  std::string client_id = "mavi-sandbox";  // clientId in classic callbacks
  bool admin = false;                      // serve GET /sandbox/videos
  // Processing ends FAIL for videos without an audio track (MAVI has nothing to transcribe).
  bool require_audio = false;
  // The word a failed processing ends with: FAIL, FAILED, PARSE_ERROR, or "auto" (classic
  // PARSE_ERROR as the code page gives, v1 FAILED as list_videos gives). The cause is listed.
  std::string failed_status = "FAIL";
  // v1 names a video itself: "none" keeps the client's filename, "hash" gives 32 hex digits
  // (the upload page's example), "stem" drops the extension (list_videos' example).
  std::string rename_videos = "none";
  // v1 upload-time validation as the upload page gives it: extension .mp4/.avi/.mkv/.mov,
  // file part Content-Type video/*, at most max_upload_bytes; otherwise code 0001.
  bool validate_uploads = false;
  std::uintmax_t max_upload_bytes = 3ull << 30;
  // v1 listings send numbers as strings (duration, size, create_time, total_count, ...), as the
  // v1.1 list page's example does.
  bool string_numbers = false;
  // v2 signed URLs: how long they live (expires_in; the page's example gives 93600 s), and
  // how many of the first ones are handed out already expired (a storage clock ahead).
  std::chrono::seconds signed_url_ttl{93600};
  int expired_signed_urls = 0;
  bool quiet = false;  // no request log
};

}  // namespace mavi::cli::sandbox

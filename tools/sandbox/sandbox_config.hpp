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
  bool quiet = false;  // no request log
};

}  // namespace mavi::cli::sandbox

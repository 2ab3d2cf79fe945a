// How outages and rate limiting are told to people: in the summary, the --report and the status
// line (their JSON is cli/batch_json.hpp).
#pragma once

#include <chrono>
#include <string>

#include "mavi/batch.hpp"

namespace mavi::cli {

// "2026-12-02 14:02:03", local time.
std::string local_time(std::chrono::system_clock::time_point at);
// "45 s", "12 min 5 s", "2 h 3 min".
std::string duration_text(std::chrono::system_clock::duration length);

// "2.5 a minute", "30 an hour".
std::string pace_text(double per_minute);
// "rate limited: next upload in 2 min (30 an hour), 12 to go, ETA 24 min".
std::string rate_limited_text(double per_minute, std::chrono::system_clock::duration next_in,
                              std::size_t uploads_left);

// "MAVI unavailable from 2026-12-02 14:02:03 for 45 s (ended): <reason>".
std::string outage_line(const Outage& outage, bool ended);
// The line on stderr when MAVI goes away, stays away, or comes back.
std::string service_event_line(const ServiceEvent& event);

}  // namespace mavi::cli

#include "prepare_and_upload/outage_text.hpp"

#include <cstdio>
#include <ctime>

#include "cli/output.hpp"

namespace mavi::cli {

std::string local_time(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

std::string duration_text(std::chrono::system_clock::duration length) {
  const long long s =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(length).count());
  if (s < 60)
    return std::to_string(s) + " s";
  if (s < 3600)
    return std::to_string(s / 60) + " min" + (s % 60 ? " " + std::to_string(s % 60) + " s" : "");
  return std::to_string(s / 3600) + " h" +
         (s % 3600 >= 60 ? " " + std::to_string(s % 3600 / 60) + " min" : "");
}

std::string pace_text(double per_minute) {
  char text[48];
  if (per_minute >= 1)
    std::snprintf(text, sizeof text, "%.3g a minute", per_minute);
  else
    std::snprintf(text, sizeof text, "%.3g an hour", per_minute * 60);
  return text;
}

std::string rate_limited_text(double per_minute, std::chrono::system_clock::duration next_in,
                              std::size_t uploads_left) {
  std::string text = "rate limited: next upload in " +
                     duration_text(next_in + std::chrono::milliseconds(999)) + " (" +
                     pace_text(per_minute) + ")";
  if (uploads_left > 0 && per_minute > 0) {
    const auto eta = std::chrono::seconds(
        static_cast<long long>(static_cast<double>(uploads_left) * 60.0 / per_minute));
    text += ", " + std::to_string(uploads_left) + " to go, ETA " + duration_text(eta);
  }
  return text;
}

std::string outage_line(const Outage& outage, bool ended) {
  return "MAVI unavailable from " + local_time(outage.from) + " for " +
         duration_text(outage.to - outage.from) + (ended ? "" : " (not over when the run ended)") +
         ": " + printable(outage.reason);
}

std::string service_event_line(const ServiceEvent& event) {
  const auto next =
      duration_text(event.next_probe - std::chrono::system_clock::now() + std::chrono::seconds(1));
  switch (event.kind) {
    case ServiceEvent::Kind::unavailable:
      return "MAVI unreachable since " + local_time(event.outage.from) + " (" +
             printable(event.outage.reason) + "); uploads paused, next try in " + next;
    case ServiceEvent::Kind::probe_failed:
      return "MAVI unreachable since " + local_time(event.outage.from) + ", next try in " + next;
    case ServiceEvent::Kind::restored:
      return "MAVI answers again after " + duration_text(event.outage.to - event.outage.from) +
             "; uploads resume";
    case ServiceEvent::Kind::rate_limited:
      return rate_limited_text(event.uploads_per_minute,
                               event.next_upload - std::chrono::system_clock::now(),
                               event.uploads_left);
  }
  return {};
}

}  // namespace mavi::cli

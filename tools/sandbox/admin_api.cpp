// Sandbox extension (not part of MAVI): a read-only view of the store, so tests can compare
// what the sandbox holds with what a client believes it uploaded.
#include <httplib.h>

#include "sandbox/routes.hpp"

namespace mavi::cli::sandbox {

void admin_videos(const SandboxState& state, const httplib::Request&, httplib::Response& response) {
  nlohmann::ordered_json videos = nlohmann::ordered_json::array();
  for (const auto& video : state.store.list()) {
    nlohmann::ordered_json entry = classic_fields(video);
    entry["api"] = video.api == ApiGeneration::v2   ? "v2"
                   : video.api == ApiGeneration::v1 ? "v1"
                                                    : "classic";
    entry["uniqueId"] = video.unique_id;
    entry["storedPath"] = video.stored_path.string();
    entry["sizeBytes"] = video.size_bytes;
    entry["sha256"] = video.sha256;
    entry["accepted"] = video.accepted;
    entry["cause"] = video.cause;
    entry["callbackUri"] = video.callback_uri;
    entry["sourceUrl"] = video.source_url;  // an upload by URL: what was fetched
    videos.push_back(std::move(entry));
  }
  const auto count = videos.size();
  response.set_content(nlohmann::ordered_json{{"count", count}, {"videos", std::move(videos)}}.dump(
                           -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                       "application/json");
}

// How many requests of each kind the sandbox answered "rate limited".
void admin_stats(const SandboxState& state, const httplib::Request&, httplib::Response& response) {
  const nlohmann::ordered_json stats{
      {"videos", state.store.size()},
      {"delete_requests", state.delete_requests.load()},
      {"rate_limited",
       {{"upload", state.faults.rate_limited_answers(Limited::upload)},
        {"list", state.faults.rate_limited_answers(Limited::list)},
        {"status", state.faults.rate_limited_answers(Limited::status)}}}};
  response.set_content(stats.dump(), "application/json");
}

void register_admin_api(httplib::Server& server, SandboxState& state) {
  server.Get("/sandbox/videos",
             [&state](const httplib::Request& request, httplib::Response& response) {
               if (!authorized(state, request, response, ApiGeneration::classic))
                 return;
               admin_videos(state, request, response);
             });
  server.Get("/sandbox/stats",
             [&state](const httplib::Request& request, httplib::Response& response) {
               if (!authorized(state, request, response, ApiGeneration::classic))
                 return;
               admin_stats(state, request, response);
             });
}

}  // namespace mavi::cli::sandbox

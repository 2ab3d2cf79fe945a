// The classic generation (MAVI's upload docs): upload and searchDB.
#include <httplib.h>

#include <charconv>
#include <optional>

#include "sandbox/routes.hpp"

namespace mavi::cli::sandbox {

namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 200;

// An absent parameter is std::nullopt; a present one that is not an integer is an error.
bool integer_param(const httplib::Request& request, const char* name,
                   std::optional<std::int64_t>& out) {
  if (!request.has_param(name))
    return true;
  const std::string text = request.get_param_value(name);
  if (text.empty())
    return true;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    return false;
  out = value;
  return true;
}

}  // namespace

void search_db(const SandboxState& state, const httplib::Request& request,
               httplib::Response& response) {
  const auto api = ApiGeneration::classic;
  VideoQuery query;
  query.api = ApiGeneration::classic;
  std::optional<std::int64_t> page, page_size;
  if (!integer_param(request, "startTime", query.start_time_ms) ||
      !integer_param(request, "endTime", query.end_time_ms) ||
      !integer_param(request, "page", page) || !integer_param(request, "pageSize", page_size)) {
    reply(state, response, api, 200, "0001", "startTime, endTime, page and pageSize are integers");
    return;
  }
  if ((page && *page < 1) || (page_size && *page_size < 1)) {
    reply(state, response, api, 200, "0001", "page and pageSize start at 1");
    return;
  }
  const std::string status_text = request.get_param_value("videoStatus");
  if (!status_text.empty()) {
    query.status = parse_video_status(status_text);
    if (!query.status) {
      reply(state, response, api, 200, "0001",
            "videoStatus is one of PARSE, UNPARSE, FAIL, FAILED, PARSE_ERROR");
      return;
    }
  }

  const std::int64_t size =
      std::min<std::int64_t>(page_size.value_or(kDefaultPageSize), kMaxPageSize);
  const std::int64_t current = page.value_or(1);
  const auto matches = state.store.list(query);
  const auto total = static_cast<std::int64_t>(matches.size());
  nlohmann::ordered_json videos = nlohmann::ordered_json::array();
  // A page far past the end is empty; computed without overflowing on page=INT64_MAX.
  const std::int64_t first = current - 1 > total / size ? total : (current - 1) * size;
  for (std::int64_t i = first; i < total && i - first < size; ++i) {
    videos.push_back(classic_fields(matches[static_cast<std::size_t>(i)]));
  }
  reply(state, response, api, 200, "0000", "success",
        {{"page", (total + size - 1) / size},
         {"current", current},
         {"total", total},
         {"pageSize", size},
         {"videoData", std::move(videos)}});
}

// memories.ai/docs/v1.0/MAVI-API/Delete-videos: a JSON array of at most 500 videoNos. An id
// the store does not hold (or holds for another generation) is passed over.
void delete_classic(SandboxState& state, const httplib::Request& request,
                    httplib::Response& response) {
  const auto api = ApiGeneration::classic;
  std::string error;
  const auto ids = delete_ids(request.body, error);
  if (!ids) {
    reply(state, response, api, 200, "0001", error);
    return;
  }
  if (ids->size() > 500) {
    reply(state, response, api, 200, "0001", "at most 500 videoNos per request");
    return;
  }
  for (const auto& id : *ids) {
    if (const auto video = state.store.find(id); video && video->api == api)
      state.store.remove(id);
  }
  reply(state, response, api, 200, "0000", "success");
}

void register_classic_api(httplib::Server& server, SandboxState& state) {
  server.Post("/api/serve/video/upload",
              [&state](const httplib::Request& request, httplib::Response& response,
                       const httplib::ContentReader& reader) {
                handle_upload(state, request, response, reader, ApiGeneration::classic);
              });
  server.Get("/api/serve/video/searchDB",
             [&state](const httplib::Request& request, httplib::Response& response) {
               if (!authorized(state, request, response, ApiGeneration::classic) ||
                   !within_limit(state, response, ApiGeneration::classic, Limited::list))
                 return;
               search_db(state, request, response);
             });
  server.Delete("/api/serve/video/delete",
                [&state](const httplib::Request& request, httplib::Response& response) {
                  if (!authorized(state, request, response, ApiGeneration::classic) ||
                      !within_limit(state, response, ApiGeneration::classic, Limited::list))
                    return;
                  ++state.delete_requests;
                  delete_classic(state, request, response);
                });
}

}  // namespace mavi::cli::sandbox

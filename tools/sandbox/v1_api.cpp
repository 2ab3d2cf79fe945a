// The v1 generation (api.memories.ai/serve/api/v1): upload, get_metadata and list_videos.
#include <httplib.h>

#include "sandbox/routes.hpp"

namespace mavi::cli::sandbox {

namespace {

// A number as v1 sends it: a JSON number, or (--string-numbers, the v1.1 example) its text.
nlohmann::ordered_json number(const SandboxState& state, long long value) {
  if (state.config.string_numbers)
    return std::to_string(value);
  return value;
}

// The v1 field names (snake_case; numbers where v1 sends numbers). `cause` is the string
// "null" until processing fails, as in the v1.1 list page's example.
nlohmann::ordered_json v1_fields(const SandboxState& state, const StoredVideo& video) {
  nlohmann::ordered_json out{
      {"video_no", video.video_no},
      {"video_name", video.video_name},
      {"duration", number(state, std::llround(video.duration_seconds))},
      {"size", number(state, static_cast<long long>(video.size_bytes))},
      {"status", std::string(to_string(video.status))},
      {"cause", is_failure(video.status) && !video.cause.empty() ? video.cause : "null"},
      {"create_time", number(state, video.upload_time_ms)},
      {"unique_id", video.unique_id}};
  for (const auto& [name, value] : video.fields)
    out[name] = value;
  if (!video.tags.empty())
    out["tags"] = video.tags;
  return out;
}

}  // namespace

void get_metadata(const SandboxState& state, const httplib::Request& request,
                  httplib::Response& response) {
  const auto api = ApiGeneration::v1;
  const std::string video_no = request.get_param_value("video_no");
  if (video_no.empty()) {
    reply(state, response, api, 200, "0001", "video_no is required");
    return;
  }
  std::string unique_id = request.get_param_value("unique_id");
  if (unique_id.empty())
    unique_id = "default";
  const auto video = state.store.find(video_no);
  if (!video || video->api != ApiGeneration::v1 || video->unique_id != unique_id) {
    reply(state, response, api, 200, "0404", "video not found");
    return;
  }
  reply(state, response, api, 200, "0000", "success", v1_fields(state, *video));
}

void list_videos(const SandboxState& state, const httplib::Request& request,
                 httplib::Response& response) {
  const auto api = ApiGeneration::v1;
  const auto body =
      nlohmann::ordered_json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    reply(state, response, api, 200, "0001", "the body must be a JSON object");
    return;
  }
  auto integer = [&](const char* name, std::int64_t fallback) -> std::optional<std::int64_t> {
    if (!body.contains(name))
      return fallback;
    if (!body[name].is_number_integer())
      return std::nullopt;
    return body[name].get<std::int64_t>();
  };
  auto text = [&](const char* name) -> std::optional<std::string> {
    if (!body.contains(name) || !body[name].is_string())
      return std::nullopt;
    return body[name].get<std::string>();
  };
  const auto page = integer("page", 1);
  const auto size = integer("size", 20);
  if (!page || !size || *page < 1 || *size < 1) {
    reply(state, response, api, 200, "0001", "page and size are integers greater than 0");
    return;
  }
  VideoQuery query;
  query.api = ApiGeneration::v1;
  query.unique_id = text("unique_id").value_or("default");
  query.video_name = text("video_name");
  if (auto status = text("status")) {
    query.status = parse_video_status(*status);
    if (!query.status) {
      reply(state, response, api, 200, "0001",
            "status is one of PARSE, UNPARSE, FAIL, FAILED, PARSE_ERROR");
      return;
    }
  }
  auto matches = state.store.list(query);
  if (auto video_no = text("video_no")) {
    std::erase_if(matches, [&](const StoredVideo& v) { return v.video_no != *video_no; });
  }
  const auto total = static_cast<std::int64_t>(matches.size());
  nlohmann::ordered_json videos = nlohmann::ordered_json::array();
  // A page far past the end is empty; computed without overflowing on huge page or size.
  const std::int64_t first = *page - 1 > total / *size ? total : (*page - 1) * *size;
  for (std::int64_t i = first; i < total && i - first < *size; ++i) {
    videos.push_back(v1_fields(state, matches[static_cast<std::size_t>(i)]));
  }
  reply(state, response, api, 200, "0000", "success",
        {{"current_page", number(state, *page)},
         {"page_size", number(state, *size)},
         {"total_count", number(state, total)},
         {"videos", std::move(videos)}});
}

// api-tools.memories.ai/visual-search/delete-video: a raw JSON array of at most 100 video_nos,
// scoped by unique_id; ids it does not know are passed over (the call is idempotent).
void delete_v1(SandboxState& state, const httplib::Request& request, httplib::Response& response) {
  const auto api = ApiGeneration::v1;
  std::string error;
  const auto ids = delete_ids(request.body, error);
  if (!ids) {
    reply(state, response, api, 200, "0001", error);
    return;
  }
  if (ids->size() > 100) {
    reply(state, response, api, 200, "0001", "at most 100 video_nos per request");
    return;
  }
  std::string unique_id = request.get_param_value("unique_id");
  if (unique_id.empty())
    unique_id = "default";
  for (const auto& id : *ids) {
    const auto video = state.store.find(id);
    if (video && video->api == api && video->unique_id == unique_id)
      state.store.remove(id);
  }
  reply(state, response, api, 200, "0000", "success");
}

void register_v1_api(httplib::Server& server, SandboxState& state) {
  server.Post("/serve/api/v1/upload",
              [&state](const httplib::Request& request, httplib::Response& response,
                       const httplib::ContentReader& reader) {
                handle_upload(state, request, response, reader, ApiGeneration::v1);
              });
  server.Post("/serve/api/v1/upload_url",
              [&state](const httplib::Request& request, httplib::Response& response) {
                handle_url_upload(state, request, response);
              });
  server.Get("/serve/api/v1/get_metadata",
             [&state](const httplib::Request& request, httplib::Response& response) {
               if (!authorized(state, request, response, ApiGeneration::v1) ||
                   !within_limit(state, response, ApiGeneration::v1, Limited::status))
                 return;
               get_metadata(state, request, response);
             });
  server.Post("/serve/api/v1/list_videos",
              [&state](const httplib::Request& request, httplib::Response& response) {
                if (!authorized(state, request, response, ApiGeneration::v1) ||
                    !within_limit(state, response, ApiGeneration::v1, Limited::list))
                  return;
                list_videos(state, request, response);
              });
  server.Post("/serve/api/v1/delete_videos",
              [&state](const httplib::Request& request, httplib::Response& response) {
                if (!authorized(state, request, response, ApiGeneration::v1) ||
                    !within_limit(state, response, ApiGeneration::v1, Limited::list))
                  return;
                ++state.delete_requests;
                delete_v1(state, request, response);
              });
}

}  // namespace mavi::cli::sandbox

// The v1 generation (MAVI's current docs, /serve/api/v1): upload with form fields, listing
// through list_videos (JSON body, scoped by unique_id), status through get_metadata.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "http/url.hpp"
#include "upload/api_generation.hpp"

namespace mavi::detail {

namespace {

// Coordinates as the user gave them, without the trailing zeros of a fixed format.
std::string format_number(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

class V1Api final : public ApiModule {
 public:
  ApiGeneration generation() const noexcept override { return ApiGeneration::v1; }
  std::string_view name() const noexcept override { return "v1"; }

  // Visual Search's documented host (api-tools.memories.ai/visual-search/upload-video-from-file).
  std::string_view default_base_url() const noexcept override { return kV1BaseUrl; }

  std::string_view upload_path() const noexcept override { return "/serve/api/v1/upload"; }
  std::string_view paths() const noexcept override { return "/serve/api/v1/..."; }
  // The Visual Search upload pages take the classic containers.
  std::string_view formats() const noexcept override { return classic_api().formats(); }
  std::vector<std::string> accepted_containers() const override {
    return classic_api().accepted_containers();
  }
  std::vector<std::string> accepted_extensions() const override {
    return classic_api().accepted_extensions();
  }
  // api-tools.memories.ai/platform/rate-limits: upload 1 QPM, list videos 5 QPS, task status
  // (get_metadata) 1 QPS.
  DocumentedLimits documented_limits() const noexcept override { return {1, 300, 60}; }

  // memories.ai/docs/API/Upload/Upload-from-url (v1.2): POST /serve/api/v1/upload_url with
  // the form fields url, callback and unique_id; at most 1 GB (api-tools.memories.ai).
  bool has_url_upload() const noexcept override { return true; }
  std::string_view url_upload_path() const noexcept override { return "/serve/api/v1/upload_url"; }
  http::Request url_upload_request(const Endpoint& endpoint, const std::string& url,
                                   const UploadOptions& options,
                                   const std::string& unique_id) const override {
    http::Request request = with_fields(endpoint, url_upload_path(), options, unique_id);
    request.fields.insert(request.fields.begin(), {"url", url});
    return request;
  }

  // POST .../upload with the file and one form field per option given (tags: one per tag).
  http::Request upload_request(const Endpoint& endpoint, const UploadOptions& options,
                               const std::string& unique_id) const override {
    return with_fields(endpoint, upload_path(), options, unique_id);
  }

 private:
  // A POST to `path` carrying one form field per option given (tags: one per tag).
  static http::Request with_fields(const Endpoint& endpoint, std::string_view path,
                                   const UploadOptions& options, const std::string& unique_id) {
    http::Request request;
    request.method = "POST";
    request.headers = endpoint.headers;
    request.url = endpoint.base + std::string(path);
    auto add = [&](const char* field, const std::string& value) {
      if (!value.empty())
        request.fields.push_back({field, value});
    };
    add("callback", options.callback_uri);
    add("unique_id", unique_id);
    for (const auto& tag : options.tags)
      add("tags", tag);
    add("datetime_taken", options.datetime_taken);
    add("camera_model", options.camera_model);
    if (options.latitude)
      add("latitude", format_number(*options.latitude));
    if (options.longitude)
      add("longitude", format_number(*options.longitude));
    if (options.retain_original_video)
      add("retain_original_video", *options.retain_original_video ? "true" : "false");
    add("video_transcription_prompt", options.video_transcription_prompt);
    return request;
  }

 public:
  ParsedAnswer read_upload_answer(long http_status, std::string_view body, const std::string& what,
                                  std::string_view secret) const override {
    return parse_upload_answer(http_status, body, what, secret);
  }

  int list_page_size() const noexcept override { return 200; }

  // POST list_videos {page, size, unique_id[, video_name]}: the server filters by name and
  // scope, not by time.
  PreparedRequest list_request(const Endpoint& endpoint, const ListQuery& query,
                               int page) const override {
    nlohmann::json body{{"page", page}, {"size", list_page_size()}, {"unique_id", query.unique_id}};
    if (!query.video_name.empty())
      body["video_name"] = query.video_name;
    PreparedRequest prepared;
    prepared.request.method = "POST";
    prepared.request.url = endpoint.base + "/serve/api/v1/list_videos";
    prepared.request.headers = endpoint.headers;
    prepared.request.json_body = body.dump();
    prepared.what = "list_videos at " + prepared.request.url;
    return prepared;
  }

  // list_videos has no time filter: the window is applied here. A record without a readable
  // upload time is kept (it might be the one looked for).
  ListedPage read_list_answer(long http_status, std::string_view body, const std::string& what,
                              std::string_view secret, const ListQuery& query) const override {
    VideoPage page = parse_video_list(http_status, body, what, secret);
    ListedPage listed;
    listed.listed = page.videos.size();
    listed.total = page.total;
    for (auto& video : page.videos) {
      if (query.window && !video.upload_time.empty()) {
        const long long t = std::atoll(video.upload_time.c_str());
        if (t != 0 && (t < epoch_ms(query.window->from) || t > epoch_ms(query.window->to)))
          continue;
      }
      listed.videos.push_back(std::move(video));
    }
    return listed;
  }

  // api-tools.memories.ai/visual-search/delete-video: at most 100 video_nos per request.
  std::size_t max_delete_batch() const noexcept override { return 100; }

  // POST delete_videos?unique_id=SCOPE with the video_nos as a raw JSON array.
  PreparedRequest delete_request(const Endpoint& endpoint,
                                 const std::vector<std::string>& video_nos,
                                 const std::string& unique_id) const override {
    check_delete_batch(*this, video_nos);
    PreparedRequest prepared;
    const std::string path = endpoint.base + "/serve/api/v1/delete_videos";
    prepared.request.method = "POST";
    prepared.request.url = path + "?unique_id=" + http::escape(unique_id);
    prepared.request.headers = endpoint.headers;
    prepared.request.json_body =
        nlohmann::json(video_nos).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    prepared.what = "delete_videos at " + path;
    return prepared;
  }

  // GET get_metadata?video_no&unique_id: one request, the window is not needed.
  std::optional<VideoRecord> status(const Endpoint& endpoint, const Exchange& exchange,
                                    std::string_view video_no,
                                    const ListQuery& query) const override {
    const std::string path = endpoint.base + "/serve/api/v1/get_metadata";
    http::Request request;
    request.url = path + "?video_no=" + http::escape(video_no) +
                  "&unique_id=" + http::escape(query.unique_id);
    request.headers = endpoint.headers;
    const std::string what = "get_metadata at " + path;
    const http::Response r = exchange(request, what);
    return parse_metadata(r.http_status, r.body, what, endpoint.secret);
  }
};

}  // namespace

const ApiModule& v1_api() {
  static const V1Api module;
  return module;
}

}  // namespace mavi::detail

// The classic generation (MAVI's upload docs, mavi-backend.openinterx.com): upload with the
// callback URI in the query string, everything else found through the searchDB listing.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "http/url.hpp"
#include "upload/api_generation.hpp"
#include "upload/listing.hpp"

namespace mavi::detail {

namespace {

class ClassicApi final : public ApiModule {
 public:
  ApiGeneration generation() const noexcept override { return ApiGeneration::classic; }
  std::string_view name() const noexcept override { return "classic"; }
  std::string_view default_base_url() const noexcept override { return kDefaultBaseUrl; }
  std::string_view upload_path() const noexcept override { return "/api/serve/video/upload"; }
  std::string_view paths() const noexcept override { return "/api/serve/video/..."; }
  // MAVI's upload docs: MP4/MOV, MKV and AVI.
  std::string_view formats() const noexcept override { return "MP4/MOV, MKV and AVI"; }
  std::vector<std::string> accepted_containers() const override {
    return {"mov", "mp4", "matroska", "avi"};
  }
  std::vector<std::string> accepted_extensions() const override {
    return {".mp4", ".mov", ".mkv", ".avi"};
  }
  // The published limits (api-tools.memories.ai/platform/rate-limits); status is a searchDB
  // scan, paced as a listing.
  DocumentedLimits documented_limits() const noexcept override { return {1, 300, 0}; }

  // POST .../upload?callBackUri=URI: the file is the only part; classic takes no form fields.
  http::Request upload_request(
      const Endpoint& endpoint, const UploadOptions& options,
      const std::string& /*unique_id: classic has no scopes*/) const override {
    http::Request request;
    request.method = "POST";
    request.headers = endpoint.headers;
    request.url = endpoint.base + std::string(upload_path());
    if (!options.callback_uri.empty())
      request.url += "?callBackUri=" + http::escape(options.callback_uri);
    return request;
  }

  ParsedAnswer read_upload_answer(long http_status, std::string_view body, const std::string& what,
                                  std::string_view secret) const override {
    return parse_upload_answer(http_status, body, what, secret);
  }

  int list_page_size() const noexcept override { return 200; }  // searchDB's documented maximum

  // GET searchDB?page&pageSize[&startTime&endTime]: the server filters by time, not by name.
  PreparedRequest list_request(const Endpoint& endpoint, const ListQuery& query,
                               int page) const override {
    std::string url = endpoint.base + "/api/serve/video/searchDB?page=" + std::to_string(page) +
                      "&pageSize=" + std::to_string(list_page_size());
    if (query.window) {
      url += "&startTime=" + std::to_string(epoch_ms(query.window->from)) +
             "&endTime=" + std::to_string(epoch_ms(query.window->to));
    }
    PreparedRequest prepared;
    prepared.request.url = url;
    prepared.request.headers = endpoint.headers;
    prepared.what = "searchDB at " + url;
    return prepared;
  }

  ListedPage read_list_answer(long http_status, std::string_view body, const std::string& what,
                              std::string_view secret, const ListQuery& /*query*/) const override {
    VideoPage page = parse_video_list(http_status, body, what, secret);
    ListedPage listed;
    listed.listed = page.videos.size();
    listed.total = page.total;
    listed.videos = std::move(page.videos);
    return listed;
  }

  // memories.ai/docs/v1.0/MAVI-API/Delete-videos: at most 500 videoNos per call.
  std::size_t max_delete_batch() const noexcept override { return 500; }

  // DELETE .../delete with the videoNos as a JSON array in the body.
  PreparedRequest delete_request(const Endpoint& endpoint,
                                 const std::vector<std::string>& video_nos,
                                 const std::string& /*unique_id: no scopes*/) const override {
    check_delete_batch(*this, video_nos);
    PreparedRequest prepared;
    prepared.request.method = "DELETE";
    prepared.request.url = endpoint.base + "/api/serve/video/delete";
    prepared.request.headers = endpoint.headers;
    prepared.request.json_body =
        nlohmann::json(video_nos).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    prepared.what = "delete at " + prepared.request.url;
    return prepared;
  }

  // Classic has no per-video lookup: scan searchDB (narrowed to the window when given).
  std::optional<VideoRecord> status(const Endpoint& endpoint, const Exchange& exchange,
                                    std::string_view video_no,
                                    const ListQuery& query) const override {
    ListQuery scan = query;
    scan.video_name.clear();
    return latest_listed(*this, endpoint, exchange, scan,
                         [&](const VideoRecord& v) { return v.video_no == video_no; });
  }
};

}  // namespace

const ApiModule& classic_api() {
  static const ClassicApi module;
  return module;
}

}  // namespace mavi::detail

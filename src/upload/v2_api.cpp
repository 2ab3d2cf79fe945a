// The v2 generation (Visual Intelligence assets, mavi-backend.memories.ai/serve/api/v2):
// upload directly (POST /upload) or through a signed URL (POST /upload/signed-url, then the
// file to storage), status by the asset's metadata. v2 lists no assets, so an earlier upload
// can only be found when its asset_id is known (docs/upload.md, "Duplicate protection").
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "http/url.hpp"
#include "mavi/error.hpp"
#include "upload/api_generation.hpp"

namespace mavi::detail {

namespace {

constexpr std::string_view kPrefix = "/serve/api/v2";

// True when the asset's metadata says the file reached MAVI: its processing began or ended,
// or it has the size of the file sent. WAITING without a size is a reservation still empty.
bool arrived(const VideoRecord& asset, const UploadIdentity& identity) {
  const std::string& status = asset.video_status;
  if (status == "UPLOADING" || status == "SUCCESS" || status == "FAILED")
    return true;
  if (!identity.size_bytes || asset.size.empty())
    return false;
  char* end = nullptr;
  const unsigned long long size = std::strtoull(asset.size.c_str(), &end, 10);
  return end != asset.size.c_str() && *end == '\0' && size == *identity.size_bytes && size > 0;
}

class V2Api final : public ApiModule {
 public:
  ApiGeneration generation() const noexcept override { return ApiGeneration::v2; }
  std::string_view name() const noexcept override { return "v2"; }

  // api-tools.memories.ai/api-reference/base/upload:
  // "https://mavi-backend.memories.ai/serve/api/v2".
  std::string_view default_base_url() const noexcept override { return kV2BaseUrl; }
  std::string_view upload_path() const noexcept override { return "/serve/api/v2/upload"; }
  std::string_view paths() const noexcept override { return "/serve/api/v2/..., assets"; }
  // The v2 upload pages: "MP4, MOV, AVI, WebM, MKV, FLV, WMV, MPEG".
  std::string_view formats() const noexcept override {
    return "MP4, MOV, AVI, WebM, MKV, FLV, WMV and MPEG";
  }
  std::vector<std::string> accepted_containers() const override {
    return {"mov", "mp4", "matroska", "webm", "avi", "flv", "asf", "mpeg"};
  }
  std::vector<std::string> accepted_extensions() const override {
    return {".mp4", ".mov", ".mkv", ".webm", ".avi", ".flv", ".wmv", ".mpeg", ".mpg"};
  }

  // 1 request a second per account, whatever the request (the v2 pages).
  DocumentedLimits documented_limits() const noexcept override {
    DocumentedLimits limits;
    limits.uploads = limits.listings = limits.status = limits.deletes = 60;
    limits.one_pace = true;
    return limits;
  }

  // POST /upload with the file as the only part: v2 takes no form fields.
  http::Request upload_request(const Endpoint& endpoint, const UploadOptions& /*options*/,
                               const std::string& /*unique_id*/) const override {
    http::Request request;
    request.method = "POST";
    request.headers = endpoint.headers;
    request.url = endpoint.base + std::string(upload_path());
    return request;
  }

  ParsedAnswer read_upload_answer(long http_status, std::string_view body, const std::string& what,
                                  std::string_view secret) const override {
    return parse_asset_upload(http_status, body, what, secret);
  }

  bool has_listing() const noexcept override { return false; }

  // Only an upload whose asset was reserved can be found: by that asset's metadata.
  std::optional<VideoRecord> find(const Endpoint& endpoint, const Exchange& exchange,
                                  const ListQuery& query,
                                  const UploadIdentity& identity) const override {
    if (identity.asset_id.empty())
      return std::nullopt;
    std::optional<VideoRecord> asset = status(endpoint, exchange, identity.asset_id, query);
    if (!asset || !arrived(*asset, identity))
      return std::nullopt;
    return asset;
  }

  bool has_signed_upload() const noexcept override { return true; }

  // POST /upload/signed-url {"original_filename": NAME}.
  PreparedRequest signed_url_request(const Endpoint& endpoint,
                                     const std::string& filename) const override {
    PreparedRequest prepared;
    prepared.request.method = "POST";
    prepared.request.url = endpoint.base + std::string(kPrefix) + "/upload/signed-url";
    prepared.request.headers = endpoint.headers;
    prepared.request.json_body = nlohmann::json{{"original_filename", filename}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    prepared.what = "signed-url at " + prepared.request.url;
    return prepared;
  }

  SignedUpload read_signed_url_answer(long http_status, std::string_view body,
                                      const std::string& what,
                                      std::string_view secret) const override {
    return parse_signed_url(http_status, body, what, secret);
  }

  // v2 has no listing: these are never asked for (has_listing() is false).
  int list_page_size() const noexcept override { return 0; }
  PreparedRequest list_request(const Endpoint& /*endpoint*/, const ListQuery& /*query*/,
                               int /*page*/) const override {
    throw Error(Errc::invalid_argument, "the v2 API lists no assets");
  }
  ListedPage read_list_answer(long /*http_status*/, std::string_view /*body*/,
                              const std::string& /*what*/, std::string_view /*secret*/,
                              const ListQuery& /*query*/) const override {
    throw Error(Errc::invalid_argument, "the v2 API lists no assets");
  }

  // api-tools.memories.ai/api-reference/Base/delete: one asset per request.
  std::size_t max_delete_batch() const noexcept override { return 1; }

  // DELETE /{asset_id}: the videoNo a v2 upload is recorded under is its asset_id.
  PreparedRequest delete_request(const Endpoint& endpoint,
                                 const std::vector<std::string>& video_nos,
                                 const std::string& /*unique_id*/) const override {
    check_delete_batch(*this, video_nos);
    PreparedRequest prepared;
    prepared.request.method = "DELETE";
    prepared.request.url =
        endpoint.base + std::string(kPrefix) + "/" + http::escape(video_nos.front());
    prepared.request.headers = endpoint.headers;
    prepared.what = "delete at " + prepared.request.url;
    return prepared;
  }

  // GET /{asset_id}/metadata.
  std::optional<VideoRecord> status(const Endpoint& endpoint, const Exchange& exchange,
                                    std::string_view asset_id,
                                    const ListQuery& /*query*/) const override {
    http::Request request;
    request.url = endpoint.base + std::string(kPrefix) + "/" + http::escape(asset_id) + "/metadata";
    request.headers = endpoint.headers;
    const std::string what = "metadata at " + request.url;
    const http::Response r = exchange(request, what);
    return parse_asset_metadata(r.http_status, r.body, what, endpoint.secret);
  }
};

}  // namespace

const ApiModule& v2_api() {
  static const V2Api module;
  return module;
}

}  // namespace mavi::detail

// The v2 generation (Visual Intelligence, mavi-backend.memories.ai/serve/api/v2): direct
// upload, signed-URL upload with the sandbox's own storage endpoint, and asset metadata.
#include <httplib.h>

#include "sandbox/routes.hpp"
#include "sandbox/upload_receiver.hpp"

namespace mavi::cli::sandbox {

namespace {

constexpr auto kApi = ApiGeneration::v2;

// The file extension, lower case and without the dot ("mp4"), as metadata gives it.
std::string extension_of(const std::string& filename) {
  const auto dot = filename.find_last_of('.');
  if (dot == std::string::npos)
    return "";
  std::string ext = filename.substr(dot + 1);
  for (char& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

}  // namespace

void signed_url(SandboxState& state, const httplib::Request& request, httplib::Response& response) {
  const auto body =
      nlohmann::ordered_json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("original_filename") ||
      !body["original_filename"].is_string() ||
      body["original_filename"].get<std::string>().empty()) {
    reply(state, response, kApi, 400, "0001", "original_filename is required");
    return;
  }
  StoredVideo asset;
  asset.video_no = state.store.next_asset_id();
  asset.video_name = body["original_filename"].get<std::string>();
  asset.api = kApi;
  asset.status = VideoStatus::waiting;
  asset.upload_time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const bool born_expired =
      state.expired_urls_handed_out.fetch_add(1) < state.config.expired_signed_urls;
  const std::string token =
      state.signed_urls.issue(asset.video_no, state.config.signed_url_ttl, born_expired);
  const std::string host = request.get_header_value("Host");
  const std::string url = "http://" + (host.empty() ? state.config.host : host) + "/storage/" +
                          token + "?X-Signature=" + token;
  const std::string asset_id = asset.video_no;
  state.store.add(std::move(asset));
  reply(state, response, kApi, 200, "0000", "success",
        {{"asset_id", asset_id},
         {"signed_url", url},
         {"expires_in", state.config.signed_url_ttl.count()}});
}

void asset_metadata(const SandboxState& state, const std::string& asset_id,
                    httplib::Response& response) {
  const auto asset = state.store.find(asset_id);
  if (!asset || asset->api != kApi) {
    reply(state, response, kApi, 200, "0404", "Resource does not exist");
    return;
  }
  nlohmann::ordered_json item{{"extension", extension_of(asset->video_name)},
                              {"asset_id", asset->video_no},
                              {"original_filename", asset->video_name},
                              {"file_size", std::to_string(asset->size_bytes)},
                              {"upload_status", std::string(to_string(asset->status))},
                              {"create_time", std::to_string(asset->upload_time_ms)},
                              {"modify_time", std::to_string(asset->upload_time_ms)}};
  if (is_failure(asset->status) && !asset->cause.empty())
    item["cause"] = asset->cause;
  reply(state, response, kApi, 200, "0000", "success",
        {{"total", 1}, {"resource", nlohmann::ordered_json::array({item})}});
}

// api-tools.memories.ai/api-reference/Base/delete: one asset; an unknown one is an error.
void delete_asset(SandboxState& state, const std::string& asset_id, httplib::Response& response) {
  const auto asset = state.store.find(asset_id);
  if (!asset || asset->api != kApi) {
    reply(state, response, kApi, 200, "0404", "Resource does not exist");
    return;
  }
  state.store.remove(asset_id);
  reply(state, response, kApi, 200, "0000", "success");
}

void register_v2_api(httplib::Server& server, SandboxState& state) {
  server.Post("/serve/api/v2/upload",
              [&state](const httplib::Request& request, httplib::Response& response,
                       const httplib::ContentReader& reader) {
                handle_upload(state, request, response, reader, kApi);
              });
  server.Post("/serve/api/v2/upload/signed-url",
              [&state](const httplib::Request& request, httplib::Response& response) {
                if (!authorized(state, request, response, kApi) ||
                    !within_limit(state, response, kApi, Limited::v2_signed_url))
                  return;
                signed_url(state, request, response);
              });
  server.Get(R"(/serve/api/v2/([^/]+)/metadata)",
             [&state](const httplib::Request& request, httplib::Response& response) {
               if (!authorized(state, request, response, kApi) ||
                   !within_limit(state, response, kApi, Limited::v2_metadata))
                 return;
               asset_metadata(state, request.matches[1], response);
             });
  server.Delete(R"(/serve/api/v2/([^/]+))",
                [&state](const httplib::Request& request, httplib::Response& response) {
                  if (!authorized(state, request, response, kApi) ||
                      !within_limit(state, response, kApi, Limited::v2_delete))
                    return;
                  ++state.delete_requests;
                  delete_asset(state, request.matches[1], response);
                });
  // The storage behind the signed URLs: no key (one given is refused, as a storage refuses a
  // second credential), one upload per URL, none after it expired.
  server.Post(R"(/storage/([0-9a-f]+))", [&state](const httplib::Request& request,
                                                  httplib::Response& response,
                                                  const httplib::ContentReader& reader) {
    const std::string token = request.matches[1];
    auto refuse = [&](int status, const std::string& why) {
      drain_body(request, reader, nullptr);
      response.status = status;
      response.set_content("<Error><Message>" + why + "</Message></Error>", "application/xml");
    };
    if (request.has_header("Authorization")) {
      refuse(400, "an Authorization header is not allowed with a signed URL");
      return;
    }
    std::string asset_id;
    switch (state.signed_urls.begin(token, asset_id)) {
      case Redeemed::unknown:
        refuse(403, "unknown signature");
        return;
      case Redeemed::expired:
        refuse(400, "the signed URL has expired");
        return;
      case Redeemed::used:
        refuse(403, "the signed URL was used already");
        return;
      case Redeemed::ok:
        break;
    }
    const auto asset = state.store.find(asset_id);
    if (!asset) {
      refuse(403, "unknown asset");
      return;
    }
    handle_upload(state, request, response, reader, kApi, &*asset);
    const auto after = state.store.find(asset_id);
    state.signed_urls.finish(token, after && after->status != VideoStatus::waiting);
  });
}

}  // namespace mavi::cli::sandbox

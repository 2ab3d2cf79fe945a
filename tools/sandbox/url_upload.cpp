// v1's upload by URL: MAVI fetches the video itself. The sandbox does the same (from this
// machine only), then treats the bytes as an upload of a file.
#include <httplib.h>

#include "mavi/upload.hpp"
#include "sandbox/api_common.hpp"

namespace mavi::cli::sandbox {

void handle_url_upload(SandboxState& state, const httplib::Request& request,
                       httplib::Response& response) {
  const ApiGeneration api = ApiGeneration::v1;
  if (!authorized(state, request, response, api) || !admitted(state, response, api))
    return;
  // A form, url-encoded (MAVI's example) or multipart: httplib parses either.
  auto field = [&](const char* name) {
    if (request.has_param(name))
      return request.get_param_value(name);
    return request.has_file(name) ? request.get_file_value(name).content : std::string();
  };
  const std::string url = field("url");
  if (url.empty()) {
    reply(state, response, api, 200, "0001", "missing form field: url");
    return;
  }
  const UploadFault fault = state.faults.decide_upload();
  if (fault == UploadFault::fail_500 || fault == UploadFault::fail_503) {
    reply_server_error(state, response, api, fault);
    return;
  }
  FetchedUpload fetched = fetch_url(url, state.config.store_dir, mavi::kMaxUrlUploadBytes);
  if (!fetched.error.empty()) {
    reply(state, response, api, 200, "0001", fetched.error);
    return;
  }
  for (const char* name : {"callback", "unique_id"}) {
    if (const std::string value = field(name); !value.empty())
      fetched.upload.fields[name] = value;
  }
  // The body was a form, not a file: the connection faults have nothing to cut short.
  const UploadFault answer_fault = fault == UploadFault::lost_reply ? fault : UploadFault::none;
  store_upload(state, request, response, api, nullptr, fetched.upload, answer_fault, url);
}

}  // namespace mavi::cli::sandbox

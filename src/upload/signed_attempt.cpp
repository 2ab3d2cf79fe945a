#include "upload/signed_attempt.hpp"

#include "http/url.hpp"

namespace mavi::detail {

namespace {

using namespace std::chrono;

// A URL expires this long before its expires_in says, so no body starts on a dying URL.
constexpr seconds kExpiryMargin{60};

// The URL without its query (the signature): what messages may say about it.
std::string without_query(const std::string& url) {
  return url.substr(0, url.find('?'));
}

std::string query_of(const std::string& url) {
  const auto q = url.find('?');
  return q == std::string::npos ? std::string() : url.substr(q + 1);
}

}  // namespace

SignedAttempts::SignedAttempts(SignedAttemptSetup setup) : setup_(std::move(setup)) {}

AttemptResult SignedAttempts::reserve() {
  AttemptResult result;
  const PreparedRequest prepared =
      setup_.module->signed_url_request(setup_.endpoint, setup_.file.filename);
  setup_.log("POST " + prepared.request.url);
  http::Transfer transfer(prepared.request, setup_.settings);
  const http::Response r = transfer.perform();
  if (!r.transport_ok) {
    result.error = transport_failure(r, prepared.what);
    return result;
  }
  result.http_status = r.http_status;
  try {
    SignedUpload signed_upload = setup_.module->read_signed_url_answer(
        r.http_status, r.body, prepared.what, setup_.endpoint.secret);
    const http::UrlParts parts = http::parse_url(signed_upload.url);
    if (parts.scheme == "http" && !http::is_loopback_host(parts.host) &&
        !setup_.allow_insecure_http) {
      throw Error(Errc::bad_response, prepared.what + ": the signed URL is plain http:// to " +
                                          parts.host + " (allow it with --allow-insecure-http)");
    }
    asset_id_ = std::move(signed_upload.asset_id);
    url_ = std::move(signed_upload.url);
    expires_.reset();
    if (signed_upload.expires_in.count() > 0)
      expires_ = steady_clock::now() + signed_upload.expires_in - kExpiryMargin;
    renew_ = false;
    setup_.log("asset " + asset_id_ + " reserved");
    if (setup_.on_reserved)
      setup_.on_reserved(asset_id_);
  } catch (const Error& e) {
    result.error = e;
  }
  return result;
}

AttemptResult SignedAttempts::send(int attempt, const ProgressCallback& progress) {
  if (renew_ || url_.empty() || (expires_ && steady_clock::now() >= *expires_)) {
    AttemptResult reserved = reserve();
    if (reserved.error)
      return reserved;
  }
  return send_to_storage(attempt, progress);
}

AttemptResult SignedAttempts::send_to_storage(int attempt, const ProgressCallback& progress) {
  http::Request request;
  request.method = "POST";
  request.url = url_;
  request.file = setup_.file;  // no Authorization: the key goes to MAVI only
  http::Settings settings = setup_.settings;
  settings.extra_secret = query_of(url_);
  const std::string where = "storage at " + without_query(url_);
  setup_.log("POST " + without_query(url_) + " (signed URL of asset " + asset_id_ + ", attempt " +
             std::to_string(attempt) + ")");
  http::Transfer transfer(request, settings, throttled(progress, attempt));
  const http::Response r = transfer.perform();
  if (r.cancelled)
    throw Error(Errc::cancelled, setup_.what + ": cancelled by the caller");

  AttemptResult result;
  result.bytes_sent = r.bytes_sent;
  result.whole_body_sent = r.upload_total > 0 && r.bytes_sent >= r.upload_total;
  if (!r.transport_ok) {
    Error e = transport_failure(r, setup_.what);
    result.error = Error(e.kind(), http::redact(e.what(), settings.extra_secret), e.native_code());
    return result;
  }
  result.http_status = r.http_status;
  setup_.log("HTTP " + std::to_string(r.http_status) + " from " + where);
  if (r.http_status >= 200 && r.http_status < 300) {
    ParsedAnswer answer;
    answer.code = "0000";
    answer.msg = "stored";
    answer.video.video_no = asset_id_;
    answer.video.asset_id = asset_id_;
    answer.video.video_name = setup_.file.filename;
    result.answer = std::move(answer);
    return result;
  }
  // Expired, used up or refused: the next attempt takes a new URL (after the client has
  // looked whether this asset got the file anyway). A storage's 5xx is retried as it is.
  const bool refused = r.http_status >= 400 && r.http_status < 500;
  if (refused)
    renew_ = true;
  result.error =
      Error(refused ? Errc::network : Errc::server_error,
            setup_.what + ": " + where + " answered HTTP " + std::to_string(r.http_status) +
                (refused ? " (the signed URL is taken again)" : ""),
            static_cast<int>(r.http_status));
  return result;
}

}  // namespace mavi::detail

#include "upload/attempt.hpp"

namespace mavi::detail {

using namespace std::chrono;

http::ProgressFn throttled(const ProgressCallback& progress, int attempt) {
  if (!progress)
    return {};
  return [&progress, attempt, last_report = steady_clock::time_point{}](
             std::uint64_t sent, std::uint64_t total, double rate) mutable {
    const auto now = steady_clock::now();
    if (now - last_report < milliseconds(100) && !(total > 0 && sent == total))
      return true;
    last_report = now;
    return progress(UploadProgress{sent, total, rate, attempt});
  };
}

namespace {

// A 4xx that came while the body was still going out answers no complete request: the server
// cut the attempt off (it timed out waiting, say). Retry it like a dropped connection. A body
// too large (413) is refused for good however early it is said.
Error cut_off(const Error& e, const http::Response& r, bool whole_body_sent) {
  const bool client_error = r.http_status >= 400 && r.http_status < 500 && r.http_status != 413;
  if (whole_body_sent || !client_error || (e.kind() != Errc::bad_request && e.kind() != Errc::http))
    return e;
  return Error(Errc::network,
               std::string(e.what()) + " (answered after " + std::to_string(r.bytes_sent) + " of " +
                   std::to_string(r.upload_total) +
                   " bytes of the request: the attempt was cut off)",
               static_cast<int>(r.http_status));
}

}  // namespace

Error transport_failure(const http::Response& r, const std::string& what) {
  if (r.body_too_large)
    return Error(Errc::bad_response, what + ": answer larger than 1 MiB", r.curl_code);
  return Error(r.transport_kind, what + ": " + r.transport_error, r.curl_code);
}

AttemptResult send_attempt(const AttemptSetup& setup, int attempt,
                           const ProgressCallback& progress) {
  setup.log("POST " + setup.request->url + " (attempt " + std::to_string(attempt) + ")");
  http::Transfer transfer(*setup.request, setup.settings, throttled(progress, attempt));
  const http::Response r = transfer.perform();
  if (r.cancelled)
    throw Error(Errc::cancelled, setup.what + ": cancelled by the caller");

  AttemptResult result;
  result.bytes_sent = r.bytes_sent;
  result.whole_body_sent = r.upload_total > 0 && r.bytes_sent >= r.upload_total;
  if (!r.transport_ok) {
    result.error = transport_failure(r, setup.what);
    result.retry_after = r.retry_after.value_or(seconds{0});
    return result;
  }
  setup.log("HTTP " + std::to_string(r.http_status) + " after " + std::to_string(r.bytes_sent) +
            " bytes sent");
  result.http_status = r.http_status;
  try {
    result.answer =
        setup.module->read_upload_answer(r.http_status, r.body, setup.what, setup.secret);
  } catch (const Error& e) {
    result.error = cut_off(e, r, result.whole_body_sent);
    result.retry_after = r.retry_after.value_or(seconds{0});
  }
  return result;
}

}  // namespace mavi::detail

// mavi::Client: checks its configuration, sends requests with the key and settings, looks
// videos up, and runs upload()'s retry loop. Everything that differs between API generations
// is in their modules (upload/api_generation.hpp); one attempt and the look-up-before-resend
// rule have files of their own (upload/attempt.hpp, upload/lookup.hpp).
#include "mavi/upload.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <system_error>
#include <utility>

#include "http/transfer.hpp"
#include "http/url.hpp"
#include "mavi/error.hpp"
#include "upload/api_generation.hpp"
#include "upload/attempt.hpp"
#include "upload/listing.hpp"
#include "upload/lookup.hpp"
#include "upload/pacing.hpp"
#include "upload/retry.hpp"

namespace mavi {

namespace fs = std::filesystem;
using namespace std::chrono;

std::string_view to_string(AuthScheme scheme) noexcept {
  return scheme == AuthScheme::bearer ? "bearer" : "raw";
}

std::string_view to_string(ApiGeneration api) noexcept {
  const detail::ApiModule* module = detail::find_api_module(api);
  return module ? module->name() : "unknown";
}

std::string content_type_for(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".mp4" || ext == ".m4v")
    return "video/mp4";
  if (ext == ".mov")
    return "video/quicktime";
  if (ext == ".mkv")
    return "video/x-matroska";
  if (ext == ".avi")
    return "video/x-msvideo";
  if (ext == ".webm")
    return "video/webm";
  if (ext == ".flv")
    return "video/x-flv";
  if (ext == ".wmv" || ext == ".asf")
    return "video/x-ms-wmv";
  if (ext == ".mpg" || ext == ".mpeg" || ext == ".vob")
    return "video/mpeg";
  return "application/octet-stream";
}

struct Client::Impl {
  ClientConfig config;
  const detail::ApiModule* api = nullptr;  // the generation's paths, fields and answers
  detail::Endpoint endpoint;
  std::shared_ptr<detail::Pacer> pacer;

  void log(const std::string& line) const {
    if (!config.verbose)
      return;
    try {
      config.verbose(detail::http::redact(line, config.api_key));
    } catch (...) {
      // A failing log sink must not fail an upload.
    }
  }

  detail::LogFn log_fn() const {
    return [this](const std::string& line) { log(line); };
  }

  detail::http::Settings settings() const {
    detail::http::Settings s;
    s.connect_timeout = config.connect_timeout;
    s.low_speed_limit = config.low_speed_limit_bytes_per_second;
    s.low_speed_time = config.low_speed_time;
    s.total_timeout = config.total_timeout;
    if (config.answer_timeout.count() > 0)
      s.answer_timeout = config.answer_timeout;
    s.cacert = config.cacert;
    s.secret = config.api_key;
    if (config.verbose) {
      s.log = [this](std::string_view line) { log(std::string(line)); };
    }
    return s;
  }

  std::vector<std::string> headers() const {
    std::vector<std::string> h{"Accept: application/json"};
    if (!config.api_key.empty()) {
      h.push_back(config.auth_scheme == AuthScheme::bearer
                      ? "Authorization: Bearer " + config.api_key
                      : "Authorization: " + config.api_key);
    }
    return h;
  }

  std::string unique_id_or_default(std::string_view unique_id) const {
    return unique_id.empty() ? config.default_unique_id : std::string(unique_id);
  }

  // One request whose answer is JSON; transport failures become mavi::Error.
  detail::http::Response exchange(const detail::http::Request& request,
                                  const std::string& what) const {
    log(request.method + " " + request.url);
    detail::http::Transfer transfer(request, settings());
    detail::http::Response r = transfer.perform();
    if (!r.transport_ok)
      throw detail::transport_failure(r, what);
    log("HTTP " + std::to_string(r.http_status) + " from " + request.url);
    return r;
  }

  detail::Exchange exchange_fn() const {
    return [this](const detail::http::Request& request, const std::string& what) {
      return exchange(request, what);
    };
  }

  std::optional<VideoRecord> find_once(std::string_view name, const TimeWindow& window,
                                       std::string_view unique_id) const {
    detail::ListQuery query{window, std::string(name), unique_id_or_default(unique_id)};
    return detail::find_by_name(*api, endpoint, exchange_fn(), query);
  }

  std::optional<VideoRecord> status_once(std::string_view video_no,
                                         const std::optional<TimeWindow>& window,
                                         std::string_view unique_id) const {
    detail::ListQuery query{window, {}, unique_id_or_default(unique_id)};
    return api->status(endpoint, exchange_fn(), video_no, query);
  }

  // The upload request of `file`: the generation's URL and fields plus the file part.
  detail::http::Request upload_request(const fs::path& file, const std::string& name,
                                       const UploadOptions& options,
                                       const std::string& unique_id) const {
    detail::http::Request request = api->upload_request(endpoint, options, unique_id);
    request.file = detail::http::FilePart{
        "file", file, name,
        options.content_type.empty() ? content_type_for(file) : options.content_type};
    return request;
  }
};

namespace {

// Fails early, before any request, for a file that cannot be uploaded.
void check_readable(const fs::path& file) {
  std::error_code ec;
  const auto file_status = fs::status(file, ec);
  if (ec || !fs::exists(file_status)) {
    throw Error(Errc::not_found, "upload: " + file.string() + " does not exist");
  }
  if (!fs::is_regular_file(file_status)) {
    throw Error(Errc::invalid_argument, "upload: " + file.string() + " is not a regular file");
  }
  if (FILE* probe = std::fopen(file.c_str(), "rb")) {
    std::fclose(probe);
  } else {
    throw Error(Errc::permission_denied, "upload: cannot read " + file.string());
  }
}

}  // namespace

Client::Client(ClientConfig config) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.config = std::move(config);
  for (char c : s.config.api_key) {
    if (std::iscntrl(static_cast<unsigned char>(c))) {
      throw Error(Errc::invalid_argument, "the API key contains control characters");
    }
  }
  std::string base = s.config.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  if (base.empty())
    throw Error(Errc::invalid_argument, "empty base URL");
  const detail::http::UrlParts parts = detail::http::parse_url(base);
  if (parts.scheme != "https" && parts.scheme != "http") {
    throw Error(Errc::invalid_argument,
                "base URL " + base + ": only https:// (or http:// to loopback) is supported");
  }
  if (parts.scheme == "http" && !detail::http::is_loopback_host(parts.host) &&
      !s.config.allow_insecure_http) {
    throw Error(Errc::invalid_argument,
                "refusing plain http:// to " + parts.host +
                    ": the API key would travel unencrypted (use https://, or allow it "
                    "explicitly with --allow-insecure-http)");
  }
  if (s.config.retry.max_attempts < 1)
    s.config.retry.max_attempts = 1;
  s.api = &detail::api_module(s.config.api);
  s.endpoint = detail::Endpoint{base, s.headers(), s.config.api_key};
  s.pacer = detail::Pacer::for_key(base);
}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const ClientConfig& Client::config() const noexcept {
  return impl_->config;
}

std::optional<VideoRecord> Client::find_uploaded(std::string_view video_name,
                                                 const TimeWindow& window,
                                                 std::string_view unique_id) const {
  return detail::with_retries(impl_->config.retry, impl_->log_fn(),
                              [&] { return impl_->find_once(video_name, window, unique_id); });
}

std::optional<VideoRecord> Client::status(std::string_view video_no,
                                          std::optional<TimeWindow> window,
                                          std::string_view unique_id) const {
  return detail::with_retries(impl_->config.retry, impl_->log_fn(),
                              [&] { return impl_->status_once(video_no, window, unique_id); });
}

// The retry loop: pacing, backoff, and the look-up-before-resend rule around single attempts
// (upload/attempt.hpp, upload/lookup.hpp).
UploadResult Client::upload(const fs::path& file, const UploadOptions& options,
                            const ProgressCallback& progress) const {
  const Impl& s = *impl_;
  const ClientConfig& cfg = s.config;
  check_readable(file);

  const std::string name = options.filename.empty() ? file.filename().string() : options.filename;
  const std::string unique_id = s.unique_id_or_default(options.unique_id);
  const detail::http::Request request = s.upload_request(file, name, options, unique_id);
  // Never the query string in messages: a callback URI may carry its own secrets.
  const std::string what =
      "upload of " + file.string() + " to " + s.endpoint.base + std::string(s.api->upload_path());
  const detail::AttemptSetup setup{s.api, &request, s.settings(), what, cfg.api_key, s.log_fn()};

  UploadResult result;
  const auto started = steady_clock::now();
  int attempt = 0;
  detail::ResendGuard guard(
      name, [&](const TimeWindow& window) { return s.find_once(name, window, unique_id); },
      s.log_fn(), system_clock::now(), cfg.clock_skew_allowance);
  auto keep_waiting = [&] {
    return !progress || progress(UploadProgress{0, 0, 0, std::max(attempt, 1)});
  };
  auto finish = [&](UploadResult& r) {
    r.attempts = attempt;
    r.elapsed = duration_cast<milliseconds>(steady_clock::now() - started);
    return r;
  };
  auto recovered = [&](VideoRecord video) {
    result.video = std::move(video);
    result.code = "0000";
    result.recovered_by_lookup = true;
    return finish(result);
  };

  std::optional<Error> last_error;
  seconds retry_after{0};  // the server's Retry-After, 0 when none
  for (attempt = 1; attempt <= cfg.retry.max_attempts; ++attempt) {
    if (attempt > 1) {
      milliseconds delay =
          std::max<milliseconds>(detail::backoff_for(cfg.retry, attempt), retry_after);
      s.log("attempt " + std::to_string(attempt) + " of " + std::to_string(cfg.retry.max_attempts) +
            " in " + std::to_string(delay.count()) + " ms after: " + last_error->what());
      if (!detail::interruptible_sleep(delay, keep_waiting)) {
        throw Error(Errc::cancelled, what + ": cancelled while waiting to retry");
      }
      if (guard.lookup_pending()) {
        try {
          if (auto found = guard.look_up())
            return recovered(std::move(*found));
        } catch (const Error& e) {
          if (!is_retryable(e.kind()))
            throw;
          last_error = e;
          retry_after = seconds{0};
          continue;  // look again before the next attempt rather than risk a duplicate
        }
      }
    }
    if (!s.pacer->acquire(cfg.uploads_per_minute, keep_waiting)) {
      throw Error(Errc::cancelled, what + ": cancelled while waiting for an upload slot");
    }

    detail::AttemptResult sent = detail::send_attempt(setup, attempt, progress);
    result.bytes_sent += sent.bytes_sent;
    if (sent.answer) {
      result.http_status = static_cast<int>(sent.http_status);
      result.code = std::move(sent.answer->code);
      result.msg = std::move(sent.answer->msg);
      result.video = std::move(sent.answer->video);
      return finish(result);
    }
    const Error& e = *sent.error;
    if (detail::ResendGuard::duplicate_of_earlier_attempt(e.kind(), attempt)) {
      if (auto found = guard.look_up())
        return recovered(std::move(*found));
    }
    if (!is_retryable(e.kind()))
      throw e;
    last_error = e;
    retry_after = sent.retry_after;
    if (retry_after > cfg.retry.max_retry_after) {
      throw Error(e.kind(),
                  std::string(e.what()) + " (server asks to wait " +
                      std::to_string(retry_after.count()) + " s)",
                  e.native_code());
    }
    guard.after_retryable_failure(e.kind(), sent.whole_body_sent);
  }
  attempt = cfg.retry.max_attempts;
  if (guard.lookup_pending()) {
    try {
      if (auto found = guard.look_up())
        return recovered(std::move(*found));
    } catch (const Error&) {
      // Report the upload failure, which is what the caller must act on.
    }
  }
  throw Error(last_error->kind(),
              std::string(last_error->what()) + " (gave up after " +
                  std::to_string(cfg.retry.max_attempts) + " attempts)",
              last_error->native_code());
}

}  // namespace mavi

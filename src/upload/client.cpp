#include "mavi/upload.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <random>
#include <system_error>
#include <utility>

#include "http/transfer.hpp"
#include "http/url.hpp"
#include "mavi/error.hpp"
#include "upload/api_generation.hpp"
#include "upload/listing.hpp"
#include "upload/pacing.hpp"

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
  return "application/octet-stream";
}

namespace {

// Backoff before attempt `attempt` (2, 3, ...): base * 2^(attempt-2), capped, minus jitter.
milliseconds backoff_for(const RetryPolicy& policy, int attempt) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const double exponent = std::min(attempt - 2, 30);
  double delay = static_cast<double>(policy.base_backoff.count()) * std::pow(2.0, exponent);
  delay = std::min(delay, static_cast<double>(policy.max_backoff.count()));
  if (policy.jitter > 0) {
    std::uniform_real_distribution<double> fraction(0.0, std::min(policy.jitter, 1.0));
    delay *= 1.0 - fraction(rng);
  }
  return milliseconds(static_cast<long long>(delay));
}

}  // namespace

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
    if (!r.transport_ok) {
      throw Error(
          r.body_too_large ? Errc::bad_response : r.transport_kind,
          what + ": " +
              (r.body_too_large ? std::string("answer larger than 1 MiB") : r.transport_error),
          r.curl_code);
    }
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

  // Retries a lookup on retryable failures with the client's policy.
  template <typename Fn>
  auto with_retries(Fn fn) const {
    for (int attempt = 1;; ++attempt) {
      try {
        return fn();
      } catch (const Error& e) {
        if (!is_retryable(e.kind()) || attempt >= config.retry.max_attempts)
          throw;
        const auto delay = backoff_for(config.retry, attempt + 1);
        log(std::string("lookup failed (") + std::string(to_string(e.kind())) + "), retrying in " +
            std::to_string(delay.count()) + " ms");
        detail::interruptible_sleep(delay, {});
      }
    }
  }
};

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
  return impl_->with_retries([&] { return impl_->find_once(video_name, window, unique_id); });
}

std::optional<VideoRecord> Client::status(std::string_view video_no,
                                          std::optional<TimeWindow> window,
                                          std::string_view unique_id) const {
  return impl_->with_retries([&] { return impl_->status_once(video_no, window, unique_id); });
}

UploadResult Client::upload(const fs::path& file, const UploadOptions& options,
                            const ProgressCallback& progress) const {
  const Impl& s = *impl_;
  const ClientConfig& cfg = s.config;

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

  const std::string name = options.filename.empty() ? file.filename().string() : options.filename;
  const std::string unique_id = s.unique_id_or_default(options.unique_id);
  detail::http::Request request = s.api->upload_request(s.endpoint, options, unique_id);
  request.file = detail::http::FilePart{
      "file", file, name,
      options.content_type.empty() ? content_type_for(file) : options.content_type};
  // Never the query string in messages: a callback URI may carry its own secrets.
  const std::string what =
      "upload of " + file.string() + " to " + s.endpoint.base + std::string(s.api->upload_path());

  UploadResult result;
  const auto started = steady_clock::now();
  const auto started_wall = system_clock::now();
  int attempt = 0;
  auto keep_waiting = [&] {
    return !progress || progress(UploadProgress{0, 0, 0, std::max(attempt, 1)});
  };
  auto finish = [&](UploadResult& r) {
    r.attempts = attempt;
    r.elapsed = duration_cast<milliseconds>(steady_clock::now() - started);
    return r;
  };
  auto lookup = [&]() -> std::optional<VideoRecord> {
    const auto skew = cfg.clock_skew_allowance;
    TimeWindow window{started_wall - skew, system_clock::now() + skew};
    s.log("looking for " + name + " uploaded since the first attempt, before retrying");
    return s.find_once(name, window, unique_id);
  };
  auto recovered = [&](VideoRecord video) {
    s.log("found " + name + " already uploaded as " + video.video_no + "; not uploading again");
    result.video = std::move(video);
    result.code = "0000";
    result.recovered_by_lookup = true;
    return finish(result);
  };

  std::optional<Error> last_error;
  seconds retry_after{0};     // the server's Retry-After, 0 when none
  bool needs_lookup = false;  // the server may hold the whole body from a failed attempt
  for (attempt = 1; attempt <= cfg.retry.max_attempts; ++attempt) {
    if (attempt > 1) {
      milliseconds delay = backoff_for(cfg.retry, attempt);
      delay = std::max<milliseconds>(delay, retry_after);
      s.log("attempt " + std::to_string(attempt) + " of " + std::to_string(cfg.retry.max_attempts) +
            " in " + std::to_string(delay.count()) + " ms after: " + last_error->what());
      if (!detail::interruptible_sleep(delay, keep_waiting)) {
        throw Error(Errc::cancelled, what + ": cancelled while waiting to retry");
      }
      if (needs_lookup) {
        try {
          if (auto found = lookup())
            return recovered(std::move(*found));
          needs_lookup = false;
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

    auto last_report = steady_clock::time_point{};
    detail::http::ProgressFn on_progress;
    if (progress) {
      on_progress = [&](std::uint64_t sent, std::uint64_t total, double rate) {
        const auto now = steady_clock::now();
        // At most ten reports a second: the callback may redraw a terminal.
        if (now - last_report < milliseconds(100) && !(total > 0 && sent == total))
          return true;
        last_report = now;
        return progress(UploadProgress{sent, total, rate, attempt});
      };
    }
    s.log("POST " + request.url + " (attempt " + std::to_string(attempt) + ")");
    detail::http::Transfer transfer(request, s.settings(), std::move(on_progress));
    detail::http::Response r = transfer.perform();
    result.bytes_sent += r.bytes_sent;
    if (r.cancelled)
      throw Error(Errc::cancelled, what + ": cancelled by the caller");

    const bool whole_body_sent = r.upload_total > 0 && r.bytes_sent >= r.upload_total;
    retry_after = seconds{0};
    try {
      if (!r.transport_ok) {
        if (r.body_too_large) {
          throw Error(Errc::bad_response, what + ": answer larger than 1 MiB", r.curl_code);
        }
        throw Error(r.transport_kind, what + ": " + r.transport_error, r.curl_code);
      }
      s.log("HTTP " + std::to_string(r.http_status) + " after " + std::to_string(r.bytes_sent) +
            " bytes sent");
      detail::ParsedAnswer answer =
          s.api->read_upload_answer(r.http_status, r.body, what, cfg.api_key);
      result.http_status = static_cast<int>(r.http_status);
      result.code = std::move(answer.code);
      result.msg = std::move(answer.msg);
      result.video = std::move(answer.video);
      return finish(result);
    } catch (const Error& e) {
      if (e.kind() == Errc::duplicate && attempt > 1) {
        // "Duplicate request" after an earlier attempt: that attempt probably went through.
        if (auto found = lookup())
          return recovered(std::move(*found));
      }
      if (!is_retryable(e.kind()))
        throw;
      last_error = e;
      retry_after = r.retry_after.value_or(seconds{0});
      if (retry_after > cfg.retry.max_retry_after) {
        throw Error(e.kind(),
                    std::string(e.what()) + " (server asks to wait " +
                        std::to_string(retry_after.count()) + " s)",
                    e.native_code());
      }
      // Rate limiting is answered before the upload is stored; the other retryable kinds
      // may hide a stored upload when the whole body went out.
      if (e.kind() != Errc::rate_limited && whole_body_sent)
        needs_lookup = true;
    }
  }
  attempt = cfg.retry.max_attempts;
  if (needs_lookup) {
    try {
      if (auto found = lookup())
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

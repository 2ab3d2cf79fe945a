#include "mavi/upload.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>
#include <sstream>
#include <system_error>
#include <utility>

#include "http/transfer.hpp"
#include "http/url.hpp"
#include "mavi/error.hpp"
#include "upload/answers.hpp"
#include "upload/pacing.hpp"

namespace mavi {

namespace fs = std::filesystem;
using namespace std::chrono;

std::string_view to_string(AuthScheme scheme) noexcept {
  return scheme == AuthScheme::bearer ? "bearer" : "raw";
}

std::string_view to_string(ApiGeneration api) noexcept {
  return api == ApiGeneration::v1 ? "v1" : "classic";
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

long long epoch_ms(system_clock::time_point t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

std::string format_number(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

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
  std::string base;  // base URL without trailing slashes
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

  // One page of the classic listing.
  detail::VideoPage search_page(const TimeWindow* window, int page, int page_size) const {
    std::string url = base + "/api/serve/video/searchDB?page=" + std::to_string(page) +
                      "&pageSize=" + std::to_string(page_size);
    if (window) {
      url += "&startTime=" + std::to_string(epoch_ms(window->from)) +
             "&endTime=" + std::to_string(epoch_ms(window->to));
    }
    detail::http::Request request;
    request.url = url;
    request.headers = headers();
    const std::string what = "searchDB at " + url;
    detail::http::Response r = exchange(request, what);
    return detail::parse_video_list(r.http_status, r.body, what, config.api_key);
  }

  detail::VideoPage list_page(std::string_view video_name, std::string_view unique_id, int page,
                              int page_size) const {
    nlohmann::json body{
        {"page", page}, {"size", page_size}, {"unique_id", unique_id_or_default(unique_id)}};
    if (!video_name.empty())
      body["video_name"] = std::string(video_name);
    detail::http::Request request;
    request.method = "POST";
    request.url = base + "/serve/api/v1/list_videos";
    request.headers = headers();
    request.json_body = body.dump();
    const std::string what = "list_videos at " + request.url;
    detail::http::Response r = exchange(request, what);
    return detail::parse_video_list(r.http_status, r.body, what, config.api_key);
  }

  // Walks the listing (classic searchDB or v1 list_videos) until `match` accepts a record
  // or the pages run out; returns the accepted record with the latest upload time.
  template <typename Match>
  std::optional<VideoRecord> scan(const TimeWindow* window, std::string_view name_filter,
                                  std::string_view unique_id, Match match) const {
    constexpr int kPageSize = 200;
    constexpr int kMaxPages = 500;  // 100,000 videos: a bound against a server that loops
    std::optional<VideoRecord> best;
    long long seen = 0;
    for (int page = 1; page <= kMaxPages; ++page) {
      detail::VideoPage result = config.api == ApiGeneration::classic
                                     ? search_page(window, page, kPageSize)
                                     : list_page(name_filter, unique_id, page, kPageSize);
      for (auto& video : result.videos) {
        if (!match(video))
          continue;
        if (window && config.api == ApiGeneration::v1 && !video.upload_time.empty()) {
          // list_videos has no time filter: apply the window here.
          long long t = std::atoll(video.upload_time.c_str());
          if (t != 0 && (t < epoch_ms(window->from) || t > epoch_ms(window->to)))
            continue;
        }
        if (!best ||
            std::atoll(video.upload_time.c_str()) >= std::atoll(best->upload_time.c_str())) {
          best = video;
        }
      }
      seen += static_cast<long long>(result.videos.size());
      if (result.videos.empty() || (result.total >= 0 && seen >= result.total) ||
          result.videos.size() < static_cast<std::size_t>(kPageSize)) {
        break;
      }
    }
    return best;
  }

  std::optional<VideoRecord> find_once(std::string_view name, const TimeWindow& window,
                                       std::string_view unique_id) const {
    return scan(&window, name, unique_id,
                [&](const VideoRecord& v) { return v.video_name == name; });
  }

  std::optional<VideoRecord> status_once(std::string_view video_no,
                                         const std::optional<TimeWindow>& window,
                                         std::string_view unique_id) const {
    if (config.api == ApiGeneration::v1) {
      detail::http::Request request;
      request.url = base + "/serve/api/v1/get_metadata?video_no=" + detail::http::escape(video_no) +
                    "&unique_id=" + detail::http::escape(unique_id_or_default(unique_id));
      request.headers = headers();
      const std::string what = "get_metadata at " + base + "/serve/api/v1/get_metadata";
      detail::http::Response r = exchange(request, what);
      return detail::parse_metadata(r.http_status, r.body, what, config.api_key);
    }
    return scan(window ? &*window : nullptr, {}, unique_id,
                [&](const VideoRecord& v) { return v.video_no == video_no; });
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
  s.base = s.config.base_url;
  while (!s.base.empty() && s.base.back() == '/')
    s.base.pop_back();
  if (s.base.empty())
    throw Error(Errc::invalid_argument, "empty base URL");
  const detail::http::UrlParts parts = detail::http::parse_url(s.base);
  if (parts.scheme != "https" && parts.scheme != "http") {
    throw Error(Errc::invalid_argument,
                "base URL " + s.base + ": only https:// (or http:// to loopback) is supported");
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
  s.pacer = detail::Pacer::for_key(s.base);
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
  detail::http::Request request;
  request.method = "POST";
  request.headers = s.headers();
  request.file = detail::http::FilePart{
      "file", file, name,
      options.content_type.empty() ? content_type_for(file) : options.content_type};
  const std::string unique_id = s.unique_id_or_default(options.unique_id);
  if (cfg.api == ApiGeneration::classic) {
    request.url = s.base + "/api/serve/video/upload";
    if (!options.callback_uri.empty()) {
      request.url += "?callBackUri=" + detail::http::escape(options.callback_uri);
    }
  } else {
    request.url = s.base + "/serve/api/v1/upload";
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
    if (options.retain_original_video) {
      add("retain_original_video", *options.retain_original_video ? "true" : "false");
    }
    add("video_transcription_prompt", options.video_transcription_prompt);
  }
  // Never the query string in messages: a callback URI may carry its own secrets.
  const std::string what =
      "upload of " + file.string() + " to " + s.base +
      (cfg.api == ApiGeneration::classic ? "/api/serve/video/upload" : "/serve/api/v1/upload");

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
          detail::parse_upload_answer(r.http_status, r.body, what, cfg.api_key);
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

// mavi::Client: checks its configuration, sends requests with the key and settings, looks
// videos up, and runs upload()'s retry loop. Everything that differs between API generations
// is in their modules (upload/api_generation.hpp); one attempt and the look-up-before-resend
// rule have files of their own (upload/attempt.hpp, upload/lookup.hpp).
#include "mavi/upload.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
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
#include "upload/signed_attempt.hpp"
#include "upload/upload_loop.hpp"

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

std::string_view to_string(UploadRoute route) noexcept {
  switch (route) {
    case UploadRoute::automatic:
      return "auto";
    case UploadRoute::direct:
      return "direct";
    case UploadRoute::signed_url:
      return "signed-url";
  }
  return "auto";
}

std::string_view default_base_url(ApiGeneration api) noexcept {
  const detail::ApiModule* module = detail::find_api_module(api);
  return module ? module->default_base_url() : kDefaultBaseUrl;
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
  // Paces per kind of request, shared per base URL (upload/pacing.hpp).
  std::shared_ptr<detail::Pacer> upload_pacer;
  std::shared_ptr<detail::Pacer> list_pacer;
  std::shared_ptr<detail::Pacer> status_pacer;
  std::shared_ptr<detail::Pacer> delete_pacer;
  double upload_ceiling = 0;  // per minute; 0: none
  double list_ceiling = 0;
  double status_ceiling = 0;
  double delete_ceiling = 0;

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

  // One request whose answer is JSON, in its turn on `pacer`; transport failures become
  // mavi::Error.
  detail::http::Response exchange(detail::Pacer& pacer, double ceiling,
                                  const detail::http::Request& request,
                                  const std::string& what) const {
    pacer.acquire(ceiling, {});
    log(request.method + " " + request.url);
    detail::http::Transfer transfer(request, settings());
    detail::http::Response r = transfer.perform();
    if (!r.transport_ok)
      throw detail::transport_failure(r, what);
    log("HTTP " + std::to_string(r.http_status) + " from " + request.url);
    return r;
  }

  detail::Exchange exchange_fn(detail::Pacer& pacer, double ceiling) const {
    return [this, &pacer, ceiling](const detail::http::Request& request, const std::string& what) {
      return exchange(pacer, ceiling, request, what);
    };
  }

  // A generation whose status is a listing scan paces it as a listing.
  bool status_is_listing() const { return api->documented_limits().status <= 0; }
  detail::Pacer& status_pacer_in_use() const {
    return status_is_listing() ? *list_pacer : *status_pacer;
  }
  double status_ceiling_in_use() const {
    return status_is_listing() ? list_ceiling : status_ceiling;
  }

  std::optional<VideoRecord> find_once(const UploadIdentity& identity, const TimeWindow& window,
                                       std::string_view unique_id) const {
    detail::ListQuery query{window, {}, unique_id_or_default(unique_id)};
    return api->find(endpoint, exchange_fn(*list_pacer, list_ceiling), query, identity);
  }

  std::optional<VideoRecord> status_once(std::string_view video_no,
                                         const std::optional<TimeWindow>& window,
                                         std::string_view unique_id) const {
    detail::ListQuery query{window, {}, unique_id_or_default(unique_id)};
    return api->status(endpoint, exchange_fn(status_pacer_in_use(), status_ceiling_in_use()),
                       video_no, query);
  }

  // The retry loop's view of this client, for one upload in scope `unique_id`.
  detail::UploadLoopSetup loop_setup(const std::string& unique_id) const {
    detail::UploadLoopSetup setup;
    setup.api = api;
    setup.retry = config.retry;
    setup.upload_pacer = upload_pacer.get();
    setup.upload_ceiling = upload_ceiling;
    setup.list_pacer = list_pacer.get();
    setup.list_ceiling = list_ceiling;
    setup.clock_skew_allowance = config.clock_skew_allowance;
    setup.log = log_fn();
    setup.find = [this, unique_id](const UploadIdentity& identity, const TimeWindow& window) {
      return find_once(identity, window, unique_id);
    };
    return setup;
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
  if (s.config.base_url.empty())
    s.config.base_url = std::string(default_base_url(s.config.api));
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
  const detail::DocumentedLimits limits = s.api->documented_limits();
  auto ceiling = [](const std::optional<double>& given, double documented) {
    return given ? std::max(0.0, *given) : documented;
  };
  s.upload_ceiling = ceiling(s.config.uploads_per_minute, limits.uploads);
  const std::optional<double> lookups_per_minute =
      s.config.lookups_per_second ? std::optional(*s.config.lookups_per_second * 60) : std::nullopt;
  s.list_ceiling = ceiling(lookups_per_minute, limits.listings);
  s.status_ceiling = ceiling(lookups_per_minute, limits.status);
  s.delete_ceiling = ceiling(lookups_per_minute, limits.deletes);
  // Limits are per account and per kind of request: one schedule per base URL and kind.
  s.upload_pacer = detail::Pacer::for_key(base + (limits.one_pace ? " account" : " upload"));
  s.list_pacer = detail::Pacer::for_key(base + (limits.one_pace ? " account" : " list"));
  s.status_pacer = detail::Pacer::for_key(base + (limits.one_pace ? " account" : " status"));
  s.delete_pacer = detail::Pacer::for_key(base + (limits.one_pace ? " account" : " delete"));
}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

bool Client::uploads_by_url() const noexcept {
  return impl_->api->has_url_upload();
}

const ClientConfig& Client::config() const noexcept {
  return impl_->config;
}

std::optional<VideoRecord> Client::find_uploaded(std::string_view video_name,
                                                 const TimeWindow& window,
                                                 std::string_view unique_id) const {
  return find_uploaded(UploadIdentity{std::string(video_name), std::nullopt}, window, unique_id);
}

std::optional<VideoRecord> Client::find_uploaded(const UploadIdentity& identity,
                                                 const TimeWindow& window,
                                                 std::string_view unique_id) const {
  return detail::with_retries(impl_->config.retry, impl_->log_fn(), *impl_->list_pacer,
                              impl_->list_ceiling,
                              [&] { return impl_->find_once(identity, window, unique_id); });
}

std::optional<VideoRecord> Client::status(std::string_view video_no,
                                          std::optional<TimeWindow> window,
                                          std::string_view unique_id) const {
  return detail::with_retries(impl_->config.retry, impl_->log_fn(), impl_->status_pacer_in_use(),
                              impl_->status_ceiling_in_use(),
                              [&] { return impl_->status_once(video_no, window, unique_id); });
}

std::vector<DeleteOutcome> Client::delete_videos(const std::vector<std::string>& video_nos,
                                                 std::string_view unique_id) const {
  const Impl& s = *impl_;
  const std::string scope = s.unique_id_or_default(unique_id);
  const std::size_t per_request = std::max<std::size_t>(1, s.api->max_delete_batch());
  std::vector<DeleteOutcome> outcomes;
  outcomes.reserve(video_nos.size());
  for (std::size_t first = 0; first < video_nos.size(); first += per_request) {
    const auto from = video_nos.begin() + static_cast<std::ptrdiff_t>(first);
    const std::vector<std::string> ids(
        from, from + static_cast<std::ptrdiff_t>(std::min(per_request, video_nos.size() - first)));
    std::string error;
    try {
      detail::with_retries(s.config.retry, s.log_fn(), *s.delete_pacer, s.delete_ceiling, [&] {
        const detail::PreparedRequest prepared = s.api->delete_request(s.endpoint, ids, scope);
        const detail::http::Response r =
            s.exchange(*s.delete_pacer, s.delete_ceiling, prepared.request, prepared.what);
        s.api->read_delete_answer(r.http_status, r.body, prepared.what, s.endpoint.secret);
        return true;
      });
    } catch (const Error& e) {
      // One refused request (a v2 asset that is gone, say) does not stop the others.
      error = detail::http::redact(e.what(), s.config.api_key);
      s.log("delete failed: " + error);
    }
    for (const auto& id : ids)
      outcomes.push_back({id, error.empty(), error});
  }
  return outcomes;
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

  std::error_code size_error;
  const auto size = fs::file_size(file, size_error);
  const UploadIdentity identity{name,
                                size_error ? std::nullopt : std::optional<std::uint64_t>(size)};

  // v2 sends large files (or every file, as configured) through a signed URL.
  std::optional<detail::SignedAttempts> signed_attempts;
  if (s.api->has_signed_upload() && (cfg.upload_route == UploadRoute::signed_url ||
                                     (cfg.upload_route == UploadRoute::automatic && !size_error &&
                                      size >= cfg.signed_url_from_bytes))) {
    signed_attempts.emplace(detail::SignedAttemptSetup{
        s.api, s.endpoint, s.settings(), *request.file, what + " (signed URL)",
        cfg.allow_insecure_http, s.log_fn(), options.on_asset_reserved});
  }
  auto send = [&](int n) {
    return signed_attempts ? signed_attempts->send(n, progress)
                           : detail::send_attempt(setup, n, progress);
  };
  // The identity looked for after an ambiguous failure: with the asset of the URL in use.
  auto current_identity = [&] {
    UploadIdentity current = identity;
    if (signed_attempts)
      current.asset_id = signed_attempts->asset_id();
    return current;
  };
  return detail::run_upload(s.loop_setup(unique_id), {name, what, send, current_identity},
                            progress);
}

UploadResult Client::upload_url(std::string_view url, const UploadOptions& options,
                                const ProgressCallback& progress) const {
  const Impl& s = *impl_;
  if (!s.api->has_url_upload()) {
    throw Error(Errc::invalid_argument,
                "the " + std::string(s.api->name()) + " API takes no upload by URL (v1 does)");
  }
  const std::string name =
      options.filename.empty() ? detail::http::url_filename(url) : options.filename;
  const std::string unique_id = s.unique_id_or_default(options.unique_id);
  const detail::http::Request request =
      s.api->url_upload_request(s.endpoint, std::string(url), options, unique_id);
  // Neither the source's query (it may carry a token) nor the request's in messages.
  const std::string what = "upload by URL of " + detail::http::without_query(url) + " to " +
                           s.endpoint.base + std::string(s.api->url_upload_path());
  const detail::AttemptSetup setup{s.api, &request,         s.settings(),
                                   what,  s.config.api_key, s.log_fn()};
  const UploadIdentity identity{name, options.source_size_bytes};
  UploadResult result = detail::run_upload(
      s.loop_setup(unique_id),
      {name, what, [&](int n) { return detail::send_attempt(setup, n, progress); },
       [&] { return identity; }},
      progress);
  result.by_url = true;
  return result;
}

}  // namespace mavi
// What the sandbox's HTTP handlers share: their state, MAVI-style answers, authentication and
// the upload flow common to both API generations.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox/bandwidth_limiter.hpp"
#include "sandbox/callback_dispatcher.hpp"
#include "sandbox/fault_injector.hpp"
#include "sandbox/sandbox_config.hpp"
#include "sandbox/signed_urls.hpp"
#include "sandbox/upload_receiver.hpp"
#include "sandbox/video_store.hpp"

namespace httplib {
struct Request;
struct Response;
class ContentReader;
class Server;
}  // namespace httplib

namespace mavi::cli::sandbox {

struct SandboxState {
  SandboxState(SandboxConfig config_in, std::function<void(const std::string&)> log_in);

  SandboxConfig config;
  std::function<void(const std::string&)> log;  // stderr unless quiet
  VideoStore store;
  FaultInjector faults;
  BandwidthLimiter limiter;
  CallbackDispatcher dispatcher;
  SignedUrls signed_urls;
  std::atomic<int> expired_urls_handed_out{0};
  std::atomic<int> delete_requests{0};  // every delete request authorised (/sandbox/stats)
  std::atomic<bool> stopping{false};    // set on shutdown: stalled uploads give up at once
};

// Sets a JSON body `{"code", "msg", "data"?}` (v1 adds "success" and "failed") after the
// configured latency.
void reply(const SandboxState& state, httplib::Response& response, ApiGeneration api,
           int http_status, const std::string& code, const std::string& msg,
           const nlohmann::ordered_json& data = nullptr);

// True when a request of `kind` is within the account's limit; otherwise the 0429 answer
// ("Request has exceeded the limit.") is already set, with the configured HTTP status and,
// unless told not to, a Retry-After header.
bool within_limit(SandboxState& state, httplib::Response& response, ApiGeneration api,
                  Limited kind);

// The status a failed processing ends with, for a video of `api` (--failed-status).
VideoStatus failure_status(const SandboxConfig& config, ApiGeneration api);

// True for a status that ends processing badly.
bool is_failure(VideoStatus status);

// True when the request may proceed; otherwise the 401/0401 answer is already set.
bool authorized(const SandboxState& state, const httplib::Request& request,
                httplib::Response& response, ApiGeneration api);

// The whole upload: authentication, rate limit, faults, streaming to the store, probing with
// libmavi, registration and the scheduled callback. Sets the answer (or drops the connection).
// With `reserved` (a v2 asset a signed URL reserved), the request is the storage's: no
// authentication or rate limit, the file fills that asset, and the answer is a bare 200.
void handle_upload(SandboxState& state, const httplib::Request& request,
                   httplib::Response& response, const httplib::ContentReader& reader,
                   ApiGeneration api, const StoredVideo* reserved = nullptr);

// The account refusing uploads (--refuse-uploads) or over its upload limit: false, with the
// answer already set.
bool admitted(SandboxState& state, httplib::Response& response, ApiGeneration api);

// The answer to an injected fail_500 or fail_503.
void reply_server_error(SandboxState& state, httplib::Response& response, ApiGeneration api,
                        UploadFault fault);

// What follows the bytes' arrival, for an upload of a file or by URL: validation, storing,
// libmavi's verdict standing in for MAVI's processing, registration, the callback and the
// answer. `source_url`: the URL MAVI fetched it from (empty for a file sent).
void store_upload(SandboxState& state, const httplib::Request& request, httplib::Response& response,
                  ApiGeneration api, const StoredVideo* reserved, ReceivedUpload& upload,
                  UploadFault fault, const std::string& source_url = {});

// v1's upload by URL (POST /serve/api/v1/upload_url, form field `url`): the sandbox fetches
// the URL itself, as MAVI does, then stores it as an upload.
void handle_url_upload(SandboxState& state, const httplib::Request& request,
                       httplib::Response& response);

// The ids a delete body names: a JSON array of strings, else an error message.
std::optional<std::vector<std::string>> delete_ids(const std::string& body, std::string& error);

// The MAVI fields every listing shares: videoNo, videoName, videoStatus, uploadTime, duration
// (all strings, as MAVI sends them).
nlohmann::ordered_json classic_fields(const StoredVideo& video);

// Marks the request being handled on this thread as dropped, for the request log.
void mark_dropped();
bool take_dropped_mark();
// After a drop, httplib still parses what it had buffered from the dead connection; those
// non-requests are not worth a log line. begin_request() clears the state for a new request.
bool connection_dropped();
void begin_request();

}  // namespace mavi::cli::sandbox

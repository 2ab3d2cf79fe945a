// mavi::Client: uploads videos to MAVI (both API generations) with streaming, retries, pacing
// and duplicate protection, and looks uploaded videos up. No curl or JSON type appears here.
//
// Every program (and every library user) must create one mavi::HttpGlobal in main() before
// any Client is used: libcurl's global initialisation is not thread-safe and libmavi never
// performs it implicitly.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mavi {

// Initialises libcurl for the process (curl_global_init) and cleans it up on destruction.
// Create exactly one, in main(), before any thread starts.
class HttpGlobal {
 public:
  HttpGlobal();  // throws mavi::Error(Errc::internal) when libcurl cannot be initialised
  ~HttpGlobal();
  HttpGlobal(const HttpGlobal&) = delete;
  HttpGlobal& operator=(const HttpGlobal&) = delete;
};

// How the key goes into the Authorization header: as-is (MAVI's current docs) or "Bearer KEY".
enum class AuthScheme { raw, bearer };

// classic: POST /api/serve/video/upload, GET /api/serve/video/searchDB.
// v1: POST /serve/api/v1/upload, GET /serve/api/v1/get_metadata, POST /serve/api/v1/list_videos.
// v2 (Visual Intelligence assets): POST /serve/api/v2/upload or /serve/api/v2/upload/signed-url
// then the file to storage, GET /serve/api/v2/{asset_id}/metadata. v2 has no listing.
enum class ApiGeneration { classic, v1, v2 };

// How a v2 upload sends the file: straight to MAVI (POST /upload), through a signed URL to
// cloud storage (the body never passes through the API), or automatic: the signed URL for
// files of at least ClientConfig::signed_url_from_bytes. Other generations upload directly.
enum class UploadRoute { automatic, direct, signed_url };
std::string_view to_string(UploadRoute route) noexcept;

std::string_view to_string(AuthScheme scheme) noexcept;
std::string_view to_string(ApiGeneration api) noexcept;

// What MAVI's documents say of one generation: --api's word and help, and what it takes.
struct ApiGenerationInfo {
  ApiGeneration api = ApiGeneration::classic;
  std::string name;                     // --api's word: "classic", "v1", "v2"
  std::string paths;                    // where its requests go: "/api/serve/video/..."
  std::string formats;                  // what it takes, in words: "MP4/MOV, MKV and AVI"
  std::vector<std::string> containers;  // FFmpeg demuxer names it takes
  std::vector<std::string> extensions;  // lower case, with the dot
};

// Every generation this library speaks, oldest first.
std::vector<ApiGenerationInfo> api_generations();

// The generation --api names ("classic", "v1", "v2"); nothing for another word.
std::optional<ApiGeneration> api_generation_from_string(std::string_view name) noexcept;

struct RetryPolicy {
  int max_attempts = 5;                           // including the first; 1 disables retrying
  std::chrono::milliseconds base_backoff{1000};   // delay before the 2nd attempt
  std::chrono::milliseconds max_backoff{60'000};  // cap of the exponential growth
  double jitter = 0.5;  // each delay is reduced by a random fraction in [0, jitter)
  // A server's Retry-After is honoured up to this long; longer waits fail the upload instead.
  std::chrono::seconds max_retry_after{600};
};

// Receives one line of diagnostics (request lines, headers with Authorization redacted,
// retry decisions). Must not throw; exceptions are swallowed.
using LogSink = std::function<void(std::string_view line)>;

// The documented hosts: classic (MAVI's upload docs), v1 (Visual Search, api-tools pages) and
// v2 (Visual Intelligence, api-tools pages; its module appends /serve/api/v2).
inline constexpr std::string_view kDefaultBaseUrl = "https://mavi-backend.openinterx.com";
inline constexpr std::string_view kV1BaseUrl = "https://api.memories.ai";
inline constexpr std::string_view kV2BaseUrl = "https://mavi-backend.memories.ai";

// The largest file MAVI fetches by URL (api-tools.memories.ai, upload-video-from-url: 1 GB).
inline constexpr std::uint64_t kMaxUrlUploadBytes = 1'000'000'000;

// The host a generation's documents give (what an empty ClientConfig::base_url means).
std::string_view default_base_url(ApiGeneration api) noexcept;

struct ClientConfig {
  // Scheme, host and port; each generation appends its own paths. Empty: the generation's
  // documented host (default_base_url(api)); Client::config() gives the one in use.
  std::string base_url;
  std::string api_key;  // never printed, logged or put in an error message
  AuthScheme auth_scheme = AuthScheme::raw;
  ApiGeneration api = ApiGeneration::classic;

  std::chrono::seconds connect_timeout{30};
  // Stall detection: a transfer slower than low_speed_limit_bytes_per_second for
  // low_speed_time fails with Errc::timeout (this includes waiting for the answer).
  long low_speed_limit_bytes_per_second = 1;
  std::chrono::seconds low_speed_time{120};
  std::optional<std::chrono::seconds> total_timeout;  // none by default: big files take long
  // The whole answer must arrive within this long after the request (body included) is sent;
  // a server dripping a byte now and then would otherwise hold the client forever.
  std::chrono::seconds answer_timeout{300};

  RetryPolicy retry;
  // The ceiling of the upload pace, shared by every Client of the process with the same base
  // URL. None: the generation's documented limit (classic and v1: 1 a minute). <= 0: no
  // ceiling. Below it the pace is learned: a "rate limited" answer (0429) halves it, and it
  // creeps back up while uploads go through. A rate-limited answer never uses up an attempt.
  std::optional<double> uploads_per_minute;
  // The ceiling of look-ups (listings, one video's status), per second. None: the documented
  // limits (list videos 5 a second, task status 1 a second); <= 0: no ceiling.
  std::optional<double> lookups_per_second;

  std::filesystem::path cacert;      // extra CA bundle (private CAs); TLS is always verified
  bool allow_insecure_http = false;  // plain http:// to a non-loopback host

  // v2: which route uploads take, and from which size `automatic` takes the signed URL.
  UploadRoute upload_route = UploadRoute::automatic;
  std::uint64_t signed_url_from_bytes = 8ull << 20;

  // v1 lookups (list_videos, get_metadata) are scoped by unique_id.
  std::string default_unique_id = "default";
  // Lookups after an ambiguous failure search from the upload's start minus this allowance
  // (server and client clocks differ).
  std::chrono::seconds clock_skew_allowance{120};

  LogSink verbose;  // empty: silent
};

struct UploadOptions {
  std::string callback_uri;  // classic: callBackUri query parameter; v1: callback field
  std::string filename;      // name MAVI sees; default: the file's own name
  std::string content_type;  // default: from the extension (video/mp4, video/quicktime...)
  // v1 form fields, sent only when set.
  std::string unique_id;  // default: ClientConfig::default_unique_id (sent if non-empty)
  std::vector<std::string> tags;
  std::string datetime_taken;
  std::string camera_model;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::optional<bool> retain_original_video;
  std::string video_transcription_prompt;
  // v2 through a signed URL: called with the asset_id MAVI reserved, before any byte of the
  // file is sent (a batch journals it, so that a crash can be resolved by the asset's
  // metadata). Must not throw.
  std::function<void(const std::string& asset_id)> on_asset_reserved;
  // Client::upload_url: the size of the video at the URL, when its server told. A look-up
  // after a lost answer then recognises the video by its size as well as by its name.
  std::optional<std::uint64_t> source_size_bytes;
};

struct UploadProgress {
  std::uint64_t bytes_sent = 0;
  std::uint64_t total_bytes = 0;  // request body size (file plus multipart framing)
  double bytes_per_second = 0;
  int attempt = 1;
  // Waiting for an upload slot (the pace) rather than sending: how long until it comes, the
  // pace in force, and whether that pace is lower than the ceiling because MAVI answered
  // "rate limited".
  bool waiting_for_slot = false;
  std::chrono::milliseconds slot_in{0};
  double uploads_per_minute = 0;  // 0: not paced
  bool rate_limited = false;
  int rate_limited_answers = 0;  // "rate limited" answers to this upload so far
};

// Called during the transfer (and while waiting for pacing or backoff); return false to
// cancel, which makes upload() throw Errc::cancelled. Exceptions thrown here are rethrown
// by upload() after the transfer has been stopped.
using ProgressCallback = std::function<bool(const UploadProgress&)>;

// One video as MAVI lists it; every field is a string, as in MAVI's JSON (numbers MAVI sends
// as numbers are kept as their decimal text).
struct VideoRecord {
  std::string video_no;      // MAVI's id of the upload (v2: the asset_id)
  std::string video_name;    // MAVI's name for it: may differ from the name it was sent under
  std::string video_status;  // UNPARSE, PARSE, PARSE_ERROR, FAIL, FAILED (processing_state())
  std::string upload_time;   // milliseconds since the epoch
  std::string duration;      // seconds
  std::string size;          // bytes, when the listing gives it
  std::string cause;         // why processing failed, when MAVI says ("null" is no cause)
  std::string asset_id;      // v2 only: re_<digits> (the same as video_no)
};

// What a status word says about a video's processing. MAVI's documents give UNPARSE and PARSE
// (classic and v1), PARSE_ERROR (the code page's VideoStatus enum), FAIL (classic callbacks)
// and FAILED (v1 list_videos, the upload FAQ); v2's upload_status adds WAITING, UPLOADING and
// SUCCESS. A word none of them gives is `unknown`: not final, so --wait keeps polling it until
// its timeout, and reports name the word as MAVI sent it.
enum class ProcessingState { pending, ready, failed, unknown };
ProcessingState processing_state(std::string_view video_status) noexcept;
std::string_view to_string(ProcessingState state) noexcept;
// ready or failed: MAVI will not change it any more.
inline bool is_final(ProcessingState state) noexcept {
  return state == ProcessingState::ready || state == ProcessingState::failed;
}

struct UploadResult {
  int http_status = 0;  // of the answer that succeeded (0 when recovered by a lookup)
  std::string code;     // MAVI's code, normally "0000"
  std::string msg;
  VideoRecord video;  // MAVI's data
  int attempts = 0;
  std::chrono::milliseconds elapsed{0};
  std::uint64_t bytes_sent = 0;  // over all attempts
  // True when an attempt failed ambiguously and the video was then found already uploaded
  // (so it was not uploaded twice).
  bool recovered_by_lookup = false;
  int rate_limited_answers = 0;  // "rate limited" answers before it went through (no attempt)
  bool by_url = false;           // MAVI fetched the video from its URL (Client::upload_url)
};

struct TimeWindow {
  std::chrono::system_clock::time_point from;
  std::chrono::system_clock::time_point to;
};

// How an earlier upload of a file is recognised in MAVI's listing without trusting MAVI to
// keep its name: the name it was sent under, that name without its extension (v1's list
// example), or, when the listing gives sizes (v1), its size in bytes within the time window
// (servers that name videos themselves: v1's upload example answers a hash). docs/upload.md,
// "Duplicate protection", gives each generation's method and its limits.
struct UploadIdentity {
  std::string name;
  std::optional<std::uint64_t> size_bytes;  // of the file as sent
  // v2: the asset reserved for it (a signed URL was taken). v2 lists nothing: only an upload
  // with a known asset can be found, by the asset's metadata.
  std::string asset_id = {};
};

// What became of one video a delete named.
struct DeleteOutcome {
  std::string video_no;
  bool deleted = false;  // MAVI confirmed the request that named it
  std::string error;     // why not, when not deleted (MAVI's answer or the transport failure)
};

class Client {
 public:
  // Validates the configuration (URL scheme, loopback rule, key without control characters);
  // throws mavi::Error(Errc::invalid_argument).
  explicit Client(ClientConfig config);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Streams `file` to MAVI. Throws mavi::Error with the most specific kind once retries are
  // exhausted or the failure is not retryable. Thread-safe: concurrent calls share the pacing.
  UploadResult upload(const std::filesystem::path& file, const UploadOptions& options = {},
                      const ProgressCallback& progress = {}) const;

  // The most recent video named `video_name` uploaded within `window` (classic: searchDB;
  // v1: list_videos), or nothing.
  std::optional<VideoRecord> find_uploaded(std::string_view video_name, const TimeWindow& window,
                                           std::string_view unique_id = {}) const;
  // The most recent video within `window` that `identity` recognises, or nothing.
  std::optional<VideoRecord> find_uploaded(const UploadIdentity& identity, const TimeWindow& window,
                                           std::string_view unique_id = {}) const;

  // Hands MAVI the URL of a video to fetch itself (v1: POST /serve/api/v1/upload_url): no
  // byte of the video passes through this process. Paced, retried and guarded against
  // duplicates like upload(); the name looked up after a lost answer is the URL's last path
  // segment (or options.filename). Throws Errc::invalid_argument for a generation without
  // upload by URL (uploads_by_url()).
  UploadResult upload_url(std::string_view url, const UploadOptions& options = {},
                          const ProgressCallback& progress = {}) const;
  // True when this generation takes uploads by URL (v1), of at most kMaxUrlUploadBytes.
  bool uploads_by_url() const noexcept;

  // A video's current record (classic: searchDB, narrowed to `window` when given;
  // v1: get_metadata; v2: the asset's metadata), or nothing when MAVI does not know it.
  std::optional<VideoRecord> status(std::string_view video_no,
                                    std::optional<TimeWindow> window = std::nullopt,
                                    std::string_view unique_id = {}) const;

  // Deletes uploaded videos (classic: DELETE /api/serve/video/delete, 500 a request; v1: POST
  // /serve/api/v1/delete_videos, 100 a request, scoped by `unique_id`; v2: DELETE
  // /serve/api/v2/{asset_id}, one a request). Requests are paced (5 a second; v2: the account's
  // one pace) and retried like look-ups. One outcome per id, in order: a failed request fails
  // every id it named, and the next request is still sent.
  std::vector<DeleteOutcome> delete_videos(const std::vector<std::string>& video_nos,
                                           std::string_view unique_id = {}) const;

  const ClientConfig& config() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The name MAVI sees for a file: its own, or its stem with ".mp4" when it is prepared. A
// remote source (http:// or https://) goes by its URL's last path segment.
std::string upload_name(const std::filesystem::path& file, bool prepared);

// "video/mp4" for .mp4, "video/quicktime" for .mov, ...; application/octet-stream otherwise.
std::string content_type_for(const std::filesystem::path& file);

}  // namespace mavi

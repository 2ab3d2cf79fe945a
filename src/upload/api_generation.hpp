// What differs between MAVI's API generations, behind one small interface: hosts, paths, how
// an upload request carries its options, how answers are read, how the listing is paged, how
// one video's status is looked up and which status words are final. The client
// (src/upload/client.cpp) only talks to this interface; each generation lives in its own file
// (classic_api.cpp, v1_api.cpp, v2_api.cpp). Adding a generation: a value in mavi::ApiGeneration, a
// file implementing ApiModule, and one line in api_modules() (api_generation.cpp); --api's
// choices, its help and the rule sets follow from the list.
//
// Private to libmavi. Request building and answer reading do no I/O, so they are
// unit-testable; the one operation that needs the network (status) gets it as an Exchange.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/transfer.hpp"
#include "mavi/upload.hpp"
#include "upload/answers.hpp"

namespace mavi::detail {

// What every request carries, whatever the generation.
struct Endpoint {
  std::string base;                  // base URL without trailing slashes
  std::vector<std::string> headers;  // Accept and Authorization
  std::string secret;                // the API key: redacted from every message
};

// A request and the name it goes by in messages ("searchDB at URL"). Messages never carry an
// upload's query string: a callback URI may hold its own secret.
struct PreparedRequest {
  http::Request request;
  std::string what;
};

// Performs one request whose answer is JSON; transport failures become mavi::Error. The
// client supplies it (logging, timeouts, the key's redaction).
using Exchange = std::function<http::Response(const http::Request&, const std::string& what)>;

// A listing query. The window and name are filters; a generation whose server cannot apply
// one applies it itself, or leaves it to the caller's match (the name).
struct ListQuery {
  std::optional<TimeWindow> window;
  std::string video_name;  // empty: every name
  std::string unique_id;   // already defaulted (ClientConfig::default_unique_id)
};

// One listing page as the walk needs it.
struct ListedPage {
  std::vector<VideoRecord> videos;  // after the generation's own filtering
  std::size_t listed = 0;           // records the server put on the page (paging counts these)
  long long total = -1;             // -1 when the answer does not say
};

// A generation's documented limits, per minute (docs/upload.md, "Rate limits").
struct DocumentedLimits {
  double uploads = 1;     // upload (local or URL): 1 a minute
  double listings = 300;  // list videos: 5 a second
  double status = 60;     // one video's status (task status): 1 a second; 0: via the listing
  double deletes = 300;   // delete: 5 a second
  // Every request of the account shares one pace (v2: 1 request a second per account).
  bool one_pace = false;
};

class ApiModule {
 public:
  virtual ~ApiModule() = default;

  virtual ApiGeneration generation() const noexcept = 0;
  virtual std::string_view name() const noexcept = 0;  // "classic", "v1": --api's words

  // The host a ClientConfig for this generation uses unless told otherwise.
  virtual std::string_view default_base_url() const noexcept = 0;

  virtual DocumentedLimits documented_limits() const noexcept { return {}; }

  // Where its requests go, as --api's help names them ("/api/serve/video/...").
  virtual std::string_view paths() const noexcept = 0;

  // What MAVI's pages say this generation takes: in words for messages and --help ("MP4/MOV,
  // MKV and AVI"), as FFmpeg demuxer names, and as file name extensions (lower case, with the
  // dot). mavi::apply_rule_set copies them into Rules.
  virtual std::string_view formats() const noexcept = 0;
  virtual std::vector<std::string> accepted_containers() const = 0;
  virtual std::vector<std::string> accepted_extensions() const = 0;

  // A server that answers rate limiting with HTTP 400 and the words "exceeded the limit" (v2
  // does) gives the same answer to some invalid requests: this many such answers in a row, the
  // pace halved each time (about 8 minutes), are taken for a refusal of the request. 0: never.
  // HTTP 429 and code 0429 are never capped.
  virtual int limit_answers_at_400_before_refusal() const noexcept { return 8; }

  // Where uploads go, below the base URL ("/api/serve/video/upload"); messages name it.
  virtual std::string_view upload_path() const noexcept = 0;

  // The upload request without its file part (which is the same for every generation):
  // method, URL with its query, form fields. `unique_id` is already defaulted.
  virtual http::Request upload_request(const Endpoint& endpoint, const UploadOptions& options,
                                       const std::string& unique_id) const = 0;

  // The upload's answer: a success, or the most specific mavi::Error.
  virtual ParsedAnswer read_upload_answer(long http_status, std::string_view body,
                                          const std::string& what,
                                          std::string_view secret) const = 0;

  // False for a generation with no listing of uploads (v2): find() can then only ask about an
  // asset it was given.
  virtual bool has_listing() const noexcept { return true; }

  // The most recent upload within the query's window that `identity` recognises. Default: the
  // listing walked (find_upload, upload/listing.hpp).
  virtual std::optional<VideoRecord> find(const Endpoint& endpoint, const Exchange& exchange,
                                          const ListQuery& query,
                                          const UploadIdentity& identity) const;

  // Generations that hand out signed URLs (v2): the request for one, and its answer. The
  // defaults throw Errc::invalid_argument.
  virtual bool has_signed_upload() const noexcept { return false; }
  virtual PreparedRequest signed_url_request(const Endpoint& endpoint,
                                             const std::string& filename) const;
  virtual SignedUpload read_signed_url_answer(long http_status, std::string_view body,
                                              const std::string& what,
                                              std::string_view secret) const;

  // Generations that fetch a video from a URL themselves (v1): where, and the request (form
  // fields, no file). The defaults throw Errc::invalid_argument.
  virtual bool has_url_upload() const noexcept { return false; }
  virtual std::string_view url_upload_path() const noexcept { return {}; }
  virtual http::Request url_upload_request(const Endpoint& endpoint, const std::string& url,
                                           const UploadOptions& options,
                                           const std::string& unique_id) const;

  // Records per listing page: the largest the server allows.
  virtual int list_page_size() const noexcept = 0;

  // Page `page` (1-based) of the listing.
  virtual PreparedRequest list_request(const Endpoint& endpoint, const ListQuery& query,
                                       int page) const = 0;
  virtual ListedPage read_list_answer(long http_status, std::string_view body,
                                      const std::string& what, std::string_view secret,
                                      const ListQuery& query) const = 0;

  // A video's current record, or nothing when MAVI does not know it. `query.video_name` is
  // unused.
  virtual std::optional<VideoRecord> status(const Endpoint& endpoint, const Exchange& exchange,
                                            std::string_view video_no,
                                            const ListQuery& query) const = 0;

  // Deleting uploads: at most max_delete_batch() ids per request (classic 500, v1 100, v2 1).
  // delete_request throws Errc::invalid_argument for no ids or too many.
  virtual std::size_t max_delete_batch() const noexcept = 0;
  virtual PreparedRequest delete_request(const Endpoint& endpoint,
                                         const std::vector<std::string>& video_nos,
                                         const std::string& unique_id) const = 0;
  // Every generation answers a delete with {code, msg}; a failure throws the usual mavi::Error.
  virtual void read_delete_answer(long http_status, std::string_view body, const std::string& what,
                                  std::string_view secret) const {
    parse_plain_answer(http_status, body, what, secret);
  }

  // True for a status MAVI will not change any more (processing ended, well or badly). Every
  // generation's words are in the one classifier, mavi::processing_state().
  virtual bool is_final_status(std::string_view video_status) const noexcept {
    return is_final(processing_state(video_status));
  }
};

// Throws Errc::invalid_argument unless 1 <= video_nos.size() <= module.max_delete_batch().
void check_delete_batch(const ApiModule& module, const std::vector<std::string>& video_nos);

// Milliseconds since the epoch, as MAVI writes times.
long long epoch_ms(std::chrono::system_clock::time_point t) noexcept;

// Every generation's module, oldest first: the one list to extend with a new generation.
std::span<const ApiModule* const> api_modules() noexcept;

// The module of a generation; nullptr for a value no module implements.
const ApiModule* find_api_module(ApiGeneration api) noexcept;

// The module of a generation; throws mavi::Error(Errc::invalid_argument) for an unknown one.
const ApiModule& api_module(ApiGeneration api);

// The generations' own modules (one file each).
const ApiModule& classic_api();
const ApiModule& v1_api();
const ApiModule& v2_api();

}  // namespace mavi::detail

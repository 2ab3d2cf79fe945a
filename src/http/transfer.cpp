#include "http/transfer.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <utility>

#include "http/curl_handles.hpp"
#include "http/url.hpp"

namespace mavi::detail::http {

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

Errc kind_of(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Errc::timeout;
    case CURLE_ABORTED_BY_CALLBACK:
      return Errc::cancelled;
    case CURLE_READ_ERROR:
      return Errc::io;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    // A certificate the CA bundle does not vouch for: retrying cannot help, --cacert can.
    case CURLE_PEER_FAILED_VERIFICATION:
      return Errc::invalid_argument;
    case CURLE_OUT_OF_MEMORY:
      return Errc::internal;
    case CURLE_WRITE_ERROR:
      return Errc::bad_response;
    default:
      // Resolve/connect failures, resets, partial transfers, TLS handshake failures.
      return Errc::network;
  }
}

// name=value&name=value, each percent-encoded.
std::string form_encoded(const std::vector<FormField>& fields) {
  std::string body;
  for (const FormField& field : fields) {
    if (!body.empty())
      body += '&';
    body += escape(field.name) + "=" + escape(field.value);
  }
  return body;
}

void check(CURLcode code, const char* what) {
  if (code != CURLE_OK) {
    throw Error(Errc::internal,
                std::string("curl_easy_setopt(") + what + "): " + curl_easy_strerror(code),
                static_cast<int>(code));
  }
}

}  // namespace

std::string redact(std::string text, std::string_view secret) {
  if (!secret.empty()) {
    for (std::size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "<redacted>");
      pos += 10;
    }
  }
  // Any Authorization header value, whatever its scheme.
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos)
      line_end = text.size();
    std::string_view line(text.data() + line_start, line_end - line_start);
    if (starts_with_ci(line, "authorization:")) {
      const std::string replacement = "Authorization: <redacted>";
      std::size_t keep = line.ends_with('\r') ? 1 : 0;
      text.replace(line_start, line.size() - keep, replacement);
      line_end = line_start + replacement.size() + keep;
    }
    line_start = line_end + 1;
  }
  return text;
}

struct Transfer::State {
  CurlEasy easy;
  CurlMime mime;
  CurlSlist headers;
  std::string json_body;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string body;
  std::size_t max_body = 0;
  bool body_too_large = false;
  ProgressFn progress;
  bool cancelled = false;
  std::exception_ptr callback_error;
  std::function<void(std::string_view)> log;
  std::string secret;
  std::string extra_secret;
  curl_off_t ul_now = 0;
  curl_off_t ul_total = 0;
  bool has_body = false;
  std::optional<std::chrono::seconds> answer_timeout;
  std::optional<std::chrono::steady_clock::time_point> answer_started;
  bool answer_too_slow = false;

  // True when the answer has taken longer than answer_timeout since the body went out.
  bool answer_overdue(curl_off_t total, curl_off_t now) {
    if (!answer_timeout)
      return false;
    const auto clock = std::chrono::steady_clock::now();
    if (!answer_started && (!has_body || (total > 0 && now >= total)))
      answer_started = clock;
    return answer_started && clock - *answer_started > *answer_timeout;
  }

  static size_t on_write(char* data, size_t size, size_t count, void* user) noexcept {
    auto* self = static_cast<State*>(user);
    const std::size_t bytes = size * count;
    if (self->body.size() + bytes > self->max_body) {
      self->body_too_large = true;
      return 0;  // makes curl fail with CURLE_WRITE_ERROR
    }
    try {
      self->body.append(data, bytes);
    } catch (...) {
      self->callback_error = std::current_exception();
      return 0;
    }
    return bytes;
  }

  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t ul_total,
                         curl_off_t ul_now) noexcept {
    auto* self = static_cast<State*>(user);
    self->ul_now = ul_now;
    self->ul_total = ul_total;
    if (self->answer_overdue(ul_total, ul_now)) {
      self->answer_too_slow = true;
      return 1;
    }
    if (!self->progress)
      return 0;
    try {
      curl_off_t speed = 0;
      curl_easy_getinfo(self->easy.get(), CURLINFO_SPEED_UPLOAD_T, &speed);
      if (!self->progress(static_cast<std::uint64_t>(ul_now), static_cast<std::uint64_t>(ul_total),
                          static_cast<double>(speed))) {
        self->cancelled = true;
        return 1;
      }
    } catch (...) {
      self->callback_error = std::current_exception();
      return 1;
    }
    return 0;
  }

  static int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) noexcept {
    auto* self = static_cast<State*>(user);
    const char* prefix = nullptr;
    switch (type) {
      case CURLINFO_TEXT:
        prefix = "* ";
        break;
      case CURLINFO_HEADER_IN:
        prefix = "< ";
        break;
      case CURLINFO_HEADER_OUT:
        prefix = "> ";
        break;
      default:
        return 0;  // bodies (the video, the answer) are never logged
    }
    try {
      std::string text = redact(redact(std::string(data, size), self->secret), self->extra_secret);
      std::size_t start = 0;
      while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
          end = text.size();
        std::string_view line(text.data() + start, end - start);
        if (line.ends_with('\r'))
          line.remove_suffix(1);
        if (!line.empty())
          self->log(std::string(prefix) + std::string(line));
        start = end + 1;
      }
    } catch (...) {
      // Logging must never disturb a transfer.
    }
    return 0;
  }
};

Transfer::Transfer(const Request& request, const Settings& settings, ProgressFn progress)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.easy.reset(curl_easy_init());
  if (!s.easy)
    throw Error(Errc::internal, "curl_easy_init failed");
  CURL* easy = s.easy.get();
  s.max_body = settings.max_response_bytes;
  s.progress = std::move(progress);
  s.log = settings.log;
  s.secret = settings.secret;
  s.extra_secret = settings.extra_secret;
  s.answer_timeout = settings.answer_timeout;
  // A DELETE carries a JSON body when it names what to delete (classic's delete).
  const bool json_post =
      !request.file &&
      (request.method == "POST" || (request.method == "DELETE" && !request.json_body.empty()));
  s.has_body = request.file.has_value() || json_post;

  check(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, s.error_buffer), "ERRORBUFFER");
  check(curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str()), "URL");
  check(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR");
  check(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL");
  // Redirects are never followed: a Location on another host must not receive the key.
  check(curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L), "FOLLOWLOCATION");
  check(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L), "SSL_VERIFYPEER");
  check(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L), "SSL_VERIFYHOST");
  if (!settings.cacert.empty()) {
    check(curl_easy_setopt(easy, CURLOPT_CAINFO, settings.cacert.c_str()), "CAINFO");
  }
  check(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(settings.connect_timeout.count() * 1000)),
        "CONNECTTIMEOUT_MS");
  check(curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, settings.low_speed_limit),
        "LOW_SPEED_LIMIT");
  check(curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                         static_cast<long>(settings.low_speed_time.count())),
        "LOW_SPEED_TIME");
  if (settings.total_timeout) {
    check(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                           static_cast<long>(settings.total_timeout->count() * 1000)),
          "TIMEOUT_MS");
  }
  check(curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L), "TCP_KEEPALIVE");
  // Larger upload chunks: fewer syscalls on multi-gigabyte bodies, still constant memory.
  check(curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L), "UPLOAD_BUFFERSIZE");

  check(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &State::on_write), "WRITEFUNCTION");
  check(curl_easy_setopt(easy, CURLOPT_WRITEDATA, &s), "WRITEDATA");
  check(curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &State::on_progress), "XFERINFO");
  check(curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &s), "XFERINFODATA");
  check(curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L), "NOPROGRESS");
  if (s.log) {
    check(curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, &State::on_debug), "DEBUGFUNCTION");
    check(curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &s), "DEBUGDATA");
    check(curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L), "VERBOSE");
  }

  for (const auto& header : request.headers) {
    curl_slist* next = curl_slist_append(s.headers.get(), header.c_str());
    if (!next)
      throw Error(Errc::internal, "curl_slist_append: out of memory");
    s.headers.release();
    s.headers.reset(next);
  }

  if (request.file) {
    s.mime.reset(curl_mime_init(easy));
    if (!s.mime)
      throw Error(Errc::internal, "curl_mime_init failed");
    curl_mimepart* part = curl_mime_addpart(s.mime.get());
    // Streamed from disk by libcurl: the file is never read into memory.
    if (curl_mime_name(part, request.file->name.c_str()) != CURLE_OK ||
        curl_mime_filedata(part, request.file->path.c_str()) != CURLE_OK ||
        curl_mime_filename(part, request.file->filename.c_str()) != CURLE_OK ||
        curl_mime_type(part, request.file->content_type.c_str()) != CURLE_OK) {
      throw Error(Errc::io, "cannot attach " + request.file->path.string() + " to the request");
    }
    for (const auto& field : request.fields) {
      curl_mimepart* fp = curl_mime_addpart(s.mime.get());
      if (curl_mime_name(fp, field.name.c_str()) != CURLE_OK ||
          curl_mime_data(fp, field.value.data(), field.value.size()) != CURLE_OK) {
        throw Error(Errc::internal, "curl_mime_data: cannot add field " + field.name);
      }
    }
    check(curl_easy_setopt(easy, CURLOPT_MIMEPOST, s.mime.get()), "MIMEPOST");
  } else if (json_post) {
    // Form fields without a file: an HTML form's encoding, as MAVI's examples send them
    // (requests.post(data=...)); otherwise the JSON body.
    const bool form = request.method == "POST" && !request.fields.empty();
    s.json_body = form ? form_encoded(request.fields) : request.json_body;
    curl_slist* next =
        curl_slist_append(s.headers.get(), form ? "Content-Type: application/x-www-form-urlencoded"
                                                : "Content-Type: application/json");
    if (!next)
      throw Error(Errc::internal, "curl_slist_append: out of memory");
    s.headers.release();
    s.headers.reset(next);
    check(curl_easy_setopt(easy, CURLOPT_POSTFIELDS, s.json_body.c_str()), "POSTFIELDS");
    check(curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                           static_cast<curl_off_t>(s.json_body.size())),
          "POSTFIELDSIZE_LARGE");
  } else {
    check(curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L), "HTTPGET");
  }
  // The body is set up as a POST's (or none as a GET's); only the method's name changes.
  if (request.method == "DELETE")
    check(curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE"), "CUSTOMREQUEST");
  if (s.headers)
    check(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, s.headers.get()), "HTTPHEADER");
}

Transfer::~Transfer() = default;
Transfer::Transfer(Transfer&&) noexcept = default;
Transfer& Transfer::operator=(Transfer&&) noexcept = default;

Response Transfer::perform() {
  State& s = *state_;
  CURL* easy = s.easy.get();
  s.body.clear();
  s.error_buffer[0] = '\0';
  const CURLcode rc = curl_easy_perform(easy);
  if (s.callback_error)
    std::rethrow_exception(std::exchange(s.callback_error, nullptr));

  Response r;
  r.curl_code = static_cast<int>(rc);
  r.cancelled = s.cancelled;
  r.body_too_large = s.body_too_large;
  if (rc != CURLE_OK) {
    r.transport_ok = false;
    r.transport_kind = kind_of(rc);
    r.transport_error = s.error_buffer[0] != '\0' ? s.error_buffer : curl_easy_strerror(rc);
    // curl's messages name hosts and files, never headers; redact anyway.
    r.transport_error = redact(redact(r.transport_error, s.secret), s.extra_secret);
    if (s.answer_too_slow) {
      r.answer_too_slow = true;
      r.transport_kind = Errc::timeout;
      r.transport_error = "the answer did not arrive within " +
                          std::to_string(s.answer_timeout->count()) + " s of sending the request";
    }
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  r.http_status = status;
  r.body = std::move(s.body);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    r.retry_after = std::chrono::seconds(retry_after);
  }
  char* location = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
    r.redirect_url = location;
  }
  curl_off_t sent = 0;
  curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &sent);
  r.bytes_sent = static_cast<std::uint64_t>(std::max<curl_off_t>(sent, s.ul_now));
  r.upload_total = static_cast<std::uint64_t>(std::max<curl_off_t>(s.ul_total, 0));
  return r;
}

}  // namespace mavi::detail::http

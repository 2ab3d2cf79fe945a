#include "http/download.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "http/curl_handles.hpp"
#include "http/url.hpp"
#include "mavi/error.hpp"

namespace mavi::detail::http {

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

struct Sink {
  std::FILE* file = nullptr;
  std::uint64_t written = 0;
  int write_errno = 0;
  const DownloadProgress* progress = nullptr;
  bool cancelled = false;

  static size_t on_write(char* data, size_t size, size_t count, void* user) noexcept {
    auto* self = static_cast<Sink*>(user);
    const size_t bytes = size * count;
    if (std::fwrite(data, 1, bytes, self->file) != bytes) {
      self->write_errno = errno;
      return 0;  // curl fails with CURLE_WRITE_ERROR
    }
    self->written += bytes;
    return bytes;
  }

  static int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* self = static_cast<Sink*>(user);
    if (self->progress == nullptr || !*self->progress)
      return 0;
    try {
      if ((*self->progress)(static_cast<std::uint64_t>(now), static_cast<std::uint64_t>(total)))
        return 0;
    } catch (...) {
      // A throwing callback cancels, as one returning false does.
    }
    self->cancelled = true;
    return 1;
  }
};

void set(CURL* easy, CURLoption option, auto value) {
  if (curl_easy_setopt(easy, option, value) != CURLE_OK)
    throw Error(Errc::internal, "curl_easy_setopt failed for a download");
}

}  // namespace

std::uint64_t download(const std::string& url, const std::filesystem::path& destination,
                       const Settings& settings, const DownloadProgress& progress) {
  // Messages name the URL without its query: it may carry a token.
  const std::string shown = without_query(url);
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(destination.c_str(), "wb"));
  if (!file) {
    const int err = errno;
    throw Error(
        err == ENOSPC ? Errc::disk_full : Errc::io,
        "download of " + shown + ": create " + destination.string() + ": " + std::strerror(err),
        err);
  }
  CurlEasy handle(curl_easy_init());
  if (!handle)
    throw Error(Errc::internal, "curl_easy_init failed");
  CURL* easy = handle.get();
  Sink sink{file.get(), 0, 0, &progress, false};
  char error_buffer[CURL_ERROR_SIZE] = {};
  set(easy, CURLOPT_URL, url.c_str());
  set(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  set(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(easy, CURLOPT_FOLLOWLOCATION, 1L);
  set(easy, CURLOPT_MAXREDIRS, 5L);
  set(easy, CURLOPT_NOSIGNAL, 1L);
  set(easy, CURLOPT_ERRORBUFFER, error_buffer);
  set(easy, CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings.connect_timeout.count()));
  set(easy, CURLOPT_LOW_SPEED_LIMIT, settings.low_speed_limit);
  set(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings.low_speed_time.count()));
  if (!settings.cacert.empty())
    set(easy, CURLOPT_CAINFO, settings.cacert.c_str());
  set(easy, CURLOPT_WRITEFUNCTION, &Sink::on_write);
  set(easy, CURLOPT_WRITEDATA, &sink);
  set(easy, CURLOPT_XFERINFOFUNCTION, &Sink::on_progress);
  set(easy, CURLOPT_XFERINFODATA, &sink);
  set(easy, CURLOPT_NOPROGRESS, 0L);
  // Only a successful answer's body is written: an error page is not the video.
  set(easy, CURLOPT_FAILONERROR, 1L);

  const CURLcode code = curl_easy_perform(easy);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK && std::fflush(file.get()) != 0)
    sink.write_errno = errno;
  if (sink.cancelled)
    throw Error(Errc::cancelled, "download of " + shown + ": cancelled");
  if (sink.write_errno != 0 || (code == CURLE_OK && std::fclose(file.release()) != 0)) {
    const int err = sink.write_errno != 0 ? sink.write_errno : errno;
    throw Error(
        err == ENOSPC ? Errc::disk_full : Errc::io,
        "download of " + shown + ": write " + destination.string() + ": " + std::strerror(err),
        err);
  }
  if (code == CURLE_HTTP_RETURNED_ERROR) {
    throw Error(status == 404 || status == 410 ? Errc::not_found : Errc::http,
                "download of " + shown + ": HTTP " + std::to_string(status));
  }
  if (code != CURLE_OK) {
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    throw Error(code == CURLE_OPERATION_TIMEDOUT ? Errc::timeout : Errc::network,
                "download of " + shown + ": " + redact(detail, settings.secret),
                static_cast<int>(code));
  }
  return sink.written;
}

}  // namespace mavi::detail::http

// mavi::Error: the one exception type libmavi throws, with a kind that decides retrying.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace mavi {

// What went wrong, from the caller's point of view. The kind, not the message, decides
// whether an operation may be retried (see is_retryable).
enum class Errc {
  io,                   // reading or writing a local file failed
  not_found,            // a path does not exist
  permission_denied,    // a path exists but may not be read or written
  invalid_argument,     // the caller passed something unusable (bad option, bad path)
  empty_file,           // a zero-byte file
  not_media,            // no demuxer recognises the file
  unreadable,           // a demuxer recognised it but could not read it (truncated, corrupt)
  unsupported,          // a media feature FFmpeg or libmavi cannot handle
  media,                // any other FFmpeg failure while demuxing, decoding or encoding
  disk_full,            // no space left (or a file size limit) while writing
  verification_failed,  // a prepared file did not pass the checks it must pass
  network,              // connection failed, reset or dropped
  timeout,              // connect timeout or stalled transfer
  http,                 // an HTTP status that fits no more specific kind
  bad_auth,             // HTTP 401 or MAVI code 0401
  no_credits,           // MAVI code 0402
  account_disabled,     // MAVI code 0403
  duplicate,            // MAVI code 0409
  rate_limited,         // HTTP 429 or MAVI code 0429
  bad_request,          // MAVI codes 0001/0003, HTTP 4xx
  server_error,         // HTTP 5xx
  bad_response,         // a response that does not follow the MAVI contract
  permission,           // MAVI code 9009
  cancelled,            // the caller (progress callback, signal) asked to stop
  journal_locked,       // another process holds the journal (a second run of the same batch)
  journal,              // the journal cannot be written: removed, moved, read-only, corrupt
  service_unavailable,  // MAVI did not answer for longer than the batch's outage timeout
  internal,             // a bug in libmavi
};

// Stable lower-case name of a kind ("not_media", "rate_limited", ...), used in JSON output.
std::string_view to_string(Errc kind) noexcept;

// True for kinds where trying the same operation again may succeed: network, timeout,
// server_error, rate_limited.
bool is_retryable(Errc kind) noexcept;

class Error : public std::runtime_error {
 public:
  // `message` names the operation and its subject (path or URL) and carries the library's own
  // text; `native_code` is the FFmpeg/curl/HTTP code when there is one, 0 otherwise.
  Error(Errc kind, std::string message, int native_code = 0);

  Errc kind() const noexcept { return kind_; }
  int native_code() const noexcept { return native_code_; }

 private:
  Errc kind_;
  int native_code_;
};

}  // namespace mavi

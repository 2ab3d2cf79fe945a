// receive_upload(): streams a multipart upload's `file` part to a temporary file in the store
// (never holding the body in memory) and collects the small form fields next to it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace httplib {
struct Request;
class ContentReader;
}  // namespace httplib

namespace mavi::cli::sandbox {

class BandwidthLimiter;

struct ReceiveOptions {
  std::filesystem::path store_dir;
  BandwidthLimiter* limiter = nullptr;  // paces reading when set
  // Stop reading after this many body bytes (the drop fault). The partial file is removed.
  std::optional<std::uintmax_t> stop_after_bytes;
};

struct ReceivedUpload {
  bool complete = false;  // the whole body was read and parsed
  bool multipart = false;
  bool has_file = false;  // a part named "file" arrived
  std::string filename;   // its filename, as the client sent it
  std::string content_type;
  std::filesystem::path temp_path;  // the stored bytes; the caller renames or removes it
  std::uintmax_t size_bytes = 0;
  std::string sha256;                         // lower-case hex
  std::map<std::string, std::string> fields;  // other parts, last value wins
  std::vector<std::string> tags;              // every "tags" part, in order
  bool fields_too_large = false;
};

// On failure (incomplete body, stop_after_bytes reached, disk error) the temporary file is
// already removed and temp_path is empty.
ReceivedUpload receive_upload(const httplib::Request& request, const httplib::ContentReader& reader,
                              const ReceiveOptions& options);

// What MAVI does with an upload by URL: GETs `url` into a temporary file in the store (its
// filename the URL's last path segment), at most `max_bytes`. Only http:// on a loopback host:
// the sandbox runs offline. On failure `error` says why and nothing is kept.
struct FetchedUpload {
  ReceivedUpload upload;
  std::string error;
};
FetchedUpload fetch_url(const std::string& url, const std::filesystem::path& store_dir,
                        std::uintmax_t max_bytes);

// Reads and discards the request body (paced like an upload), so a rejection can be answered
// on a connection left in a clean state. Returns false when the body could not be read.
bool drain_body(const httplib::Request& request, const httplib::ContentReader& reader,
                BandwidthLimiter* limiter);

// Removes temporary files left by an earlier run that was killed mid-upload.
void remove_stale_temp_files(const std::filesystem::path& store_dir);

}  // namespace mavi::cli::sandbox

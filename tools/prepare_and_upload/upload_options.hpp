// The upload side of mavi-prepare-and-upload: its options, the client configuration they
// make, and MAVI's answer as report JSON.
#pragma once

#include <CLI/CLI.hpp>

#include <cmath>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"

namespace mavi::cli {

struct UploadCliOptions {
  std::string base_url;      // --base-url, else MAVI_BASE_URL, else MAVI's default
  std::string api_key_file;  // --api-key-file
  std::string api_key;       // --api-key (visible to other users: warned about)
  std::string auth_scheme = "raw";
  std::string api = "classic";
  std::string upload_via = "auto";              // --upload-via (v2)
  std::uintmax_t signed_url_from = 8ull << 20;  // --signed-url-from SIZE (v2, auto)
  std::string callback_uri;
  // v1 form fields
  std::string unique_id;
  std::vector<std::string> tags;
  std::string datetime_taken;
  std::string camera_model;
  double latitude = NAN;  // NAN: not given
  double longitude = NAN;
  bool retain_original_video = false;
  std::string transcription_prompt;
  // client behaviour
  std::optional<double> uploads_per_minute;  // none: the generation's documented limit
  std::optional<double> lookups_per_second;  // none: the documented limits
  double connect_timeout_seconds = 30;
  double stall_timeout_seconds = 120;
  int retries = 4;  // after the first attempt
  std::string cacert;
  bool allow_insecure_http = false;
  bool verbose = false;
};

// Registers every upload option (group "Upload") on `app`.
void add_upload_options(CLI::App& app, UploadCliOptions& options);

// The options that only the v1 API sends (--tag, --unique-id, ...), given without --api v1:
// a message naming them, or "" when there are none. MAVI would silently drop them otherwise.
std::string check_generation_options(const CLI::App& app, const UploadCliOptions& options);

// Reads the API key (--api-key-file, --api-key, or MAVI_API_KEY) and builds the client's
// configuration. Warnings (a literal --api-key, a key file others can read) go to `warnings`;
// --verbose logs go to `log`. Throws mavi::Error(Errc::invalid_argument) for unusable
// options: the caller exits with the usage status.
ClientConfig make_client_config(const UploadCliOptions& options, std::ostream& warnings,
                                std::ostream& log);

UploadOptions make_upload_options(const UploadCliOptions& options);

// "1.5 MiB" and the like.
std::string human_bytes(double bytes);

}  // namespace mavi::cli

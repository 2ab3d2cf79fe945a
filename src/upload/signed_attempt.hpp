// One attempt of an upload through a signed URL (v2). MAVI hands out the URL and reserves an
// asset for it (POST /upload/signed-url); the file then goes straight to the storage behind
// the URL, without the API key. A URL is taken when there is none yet, when the last one has
// expired (by the answer's expires_in), or when the storage refused it (expired, used up).
// The asset is told to the caller before any byte of the file is sent, so that an attempt
// whose answer was lost can be settled by the asset's metadata (the client's ResendGuard).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "upload/attempt.hpp"

namespace mavi::detail {

struct SignedAttemptSetup {
  const ApiModule* module = nullptr;
  Endpoint endpoint;
  http::Settings settings;           // MAVI's (timeouts, log, the key's redaction)
  http::FilePart file;               // the part sent to storage ("file", as MAVI's example does)
  std::string what;                  // "upload of FILE (v2, signed URL)"
  bool allow_insecure_http = false;  // plain http:// storage off loopback
  LogFn log;
  std::function<void(const std::string& asset_id)> on_reserved;
};

class SignedAttempts {
 public:
  explicit SignedAttempts(SignedAttemptSetup setup);

  // Takes a URL when needed, then sends the file to it. A refused or failed request for a URL
  // is returned like a failed upload (rate limiting included); so is the storage's answer.
  AttemptResult send(int attempt, const ProgressCallback& progress);

  // The asset of the URL in use; empty before the first one.
  const std::string& asset_id() const noexcept { return asset_id_; }

 private:
  AttemptResult reserve();
  AttemptResult send_to_storage(int attempt, const ProgressCallback& progress);

  SignedAttemptSetup setup_;
  std::string asset_id_;
  std::string url_;
  std::optional<std::chrono::steady_clock::time_point> expires_;
  bool renew_ = true;
};

}  // namespace mavi::detail

// The sandbox's signed upload URLs (v2): each fills one reserved asset, expires, and can be
// used once, as a storage's signed URL is meant to be.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace mavi::cli::sandbox {

enum class Redeemed { ok, unknown, expired, used };

class SignedUrls {
 public:
  // A new token for `asset_id`, valid for `ttl`; `born_expired` makes it expired at once
  // (--expired-signed-urls: a URL that dies before the client uses it).
  std::string issue(const std::string& asset_id, std::chrono::seconds ttl, bool born_expired);

  // Checks a token at the start of a storage upload; on ok, `asset_id` is set and the token is
  // held until finish() says whether the file was stored.
  Redeemed begin(const std::string& token, std::string& asset_id);
  // The upload ended: stored (the token is used up) or not (it may be used again).
  void finish(const std::string& token, bool stored);

 private:
  struct Entry {
    std::string asset_id;
    std::chrono::steady_clock::time_point expires;
    bool used = false;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  unsigned long long counter_ = 0;
};

}  // namespace mavi::cli::sandbox

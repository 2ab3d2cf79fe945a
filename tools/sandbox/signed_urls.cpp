#include "sandbox/signed_urls.hpp"

#include <cstdio>
#include <random>

namespace mavi::cli::sandbox {

std::string SignedUrls::issue(const std::string& asset_id, std::chrono::seconds ttl,
                              bool born_expired) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::lock_guard lock(mutex_);
  char token[48];
  std::snprintf(token, sizeof token, "%016llx%08llx", static_cast<unsigned long long>(random()),
                ++counter_);
  const auto now = std::chrono::steady_clock::now();
  entries_[token] = Entry{asset_id, born_expired ? now - std::chrono::seconds(1) : now + ttl};
  return token;
}

Redeemed SignedUrls::begin(const std::string& token, std::string& asset_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(token);
  if (it == entries_.end())
    return Redeemed::unknown;
  if (it->second.used)
    return Redeemed::used;
  if (std::chrono::steady_clock::now() >= it->second.expires)
    return Redeemed::expired;
  asset_id = it->second.asset_id;
  return Redeemed::ok;
}

void SignedUrls::finish(const std::string& token, bool stored) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(token);
  if (it != entries_.end() && stored)
    it->second.used = true;
}

}  // namespace mavi::cli::sandbox

// download(): streams an http(s) resource into a file, for a remote source that must be
// prepared locally (private to libmavi). The body goes to disk as it arrives, never into memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "http/transfer.hpp"

namespace mavi::detail::http {

// Called as bytes arrive (total 0 when the server gave no length); false cancels.
using DownloadProgress = std::function<bool(std::uint64_t received, std::uint64_t total)>;

// Writes `url`'s body into `destination` (created or truncated), following up to five
// redirects over http and https only. Returns the bytes written. Settings give the connect and
// stall timeouts. Throws mavi::Error: not_found (HTTP 404 or 410), http (any other answer
// than 2xx), network or timeout (the transfer), disk_full or io (writing), cancelled. On
// failure the destination may hold part of the body: the caller removes it.
std::uint64_t download(const std::string& url, const std::filesystem::path& destination,
                       const Settings& settings, const DownloadProgress& progress = {});

}  // namespace mavi::detail::http

// fingerprint(): recognise a file by its content, cheaply, whatever its name or path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace mavi {

struct Fingerprint {
  std::uintmax_t size_bytes = 0;
  std::string content_hash;  // hex SHA-256 of the sampled content (see fingerprint())

  // "SIZE-HASH": the key the journal and --shard use.
  std::string text() const { return std::to_string(size_bytes) + "-" + content_hash; }
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// Files up to 4 MiB are hashed whole; larger ones through their first and last MiB plus
// 32 blocks of 64 KiB spread evenly between (about 4 MiB read whatever the size), with the
// size hashed in. Two different videos of the same size that agree on every sampled byte
// would collide; for real media (compressed, with timestamps) that does not happen.
// Throws mavi::Error (not_found, permission_denied, io).
Fingerprint fingerprint(const std::filesystem::path& path);

// A remote source (an http:// or https:// URL) is recognised by its URL and the size its
// server gives, not by content: reading it would mean downloading it. The same URL serving
// other bytes of the same size is taken for the same source.
Fingerprint remote_fingerprint(std::string_view url, std::uintmax_t size_bytes);

// Which of `shard_count` shards (0-based) a fingerprint falls into; stable across runs and
// machines.
unsigned shard_of(const Fingerprint& fingerprint, unsigned shard_count);

}  // namespace mavi

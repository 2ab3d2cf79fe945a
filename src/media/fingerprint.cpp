#include "mavi/fingerprint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "mavi/error.hpp"

extern "C" {
#include <libavutil/hash.h>
}

namespace mavi {

namespace {

constexpr std::uintmax_t kWholeFileLimit = 4u << 20;
constexpr std::uintmax_t kEdgeBytes = 1u << 20;
constexpr std::uintmax_t kBlockBytes = 64u << 10;
constexpr int kBlocks = 32;

struct HashDeleter {
  void operator()(AVHashContext* context) const noexcept { av_hash_freep(&context); }
};
using Hash = std::unique_ptr<AVHashContext, HashDeleter>;

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0)
      ::close(fd);
  }
};

[[noreturn]] void throw_errno(const std::filesystem::path& path, const char* what, int err) {
  const Errc kind = err == ENOENT || err == ENOTDIR ? Errc::not_found
                    : err == EACCES                 ? Errc::permission_denied
                                                    : Errc::io;
  throw Error(kind,
              std::string("fingerprint ") + path.string() + ": " + what + ": " + std::strerror(err),
              err);
}

void hash_range(int fd, const std::filesystem::path& path, AVHashContext* hash,
                std::uintmax_t offset, std::uintmax_t length, std::vector<uint8_t>& buffer) {
  while (length > 0) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uintmax_t>(length, buffer.size()));
    const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR)
        continue;
      throw_errno(path, "read", errno);
    }
    if (got == 0)
      throw Error(Errc::io, "fingerprint " + path.string() + ": file shrank while read");
    av_hash_update(hash, buffer.data(), static_cast<size_t>(got));
    offset += static_cast<std::uintmax_t>(got);
    length -= static_cast<std::uintmax_t>(got);
  }
}

}  // namespace

Fingerprint fingerprint(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw_errno(path, "open", errno);
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw_errno(path, "stat", errno);
  if (!S_ISREG(st.st_mode)) {
    throw Error(Errc::invalid_argument, "fingerprint " + path.string() + ": not a regular file");
  }
  const auto size = static_cast<std::uintmax_t>(st.st_size);

  AVHashContext* raw = nullptr;
  if (av_hash_alloc(&raw, "SHA256") < 0)
    throw Error(Errc::internal, "av_hash_alloc failed");
  Hash hash(raw);
  av_hash_init(hash.get());
  const std::string size_text = std::to_string(size) + ":";
  av_hash_update(hash.get(), reinterpret_cast<const uint8_t*>(size_text.data()), size_text.size());

  std::vector<uint8_t> buffer(kEdgeBytes);
  if (size <= kWholeFileLimit) {
    hash_range(fd, path, hash.get(), 0, size, buffer);
  } else {
    hash_range(fd, path, hash.get(), 0, kEdgeBytes, buffer);
    const std::uintmax_t middle = size - 2 * kEdgeBytes;
    for (int i = 0; i < kBlocks; ++i) {
      const std::uintmax_t offset = kEdgeBytes + middle * static_cast<std::uintmax_t>(i) / kBlocks;
      hash_range(fd, path, hash.get(), offset, std::min(kBlockBytes, size - kEdgeBytes - offset),
                 buffer);
    }
    hash_range(fd, path, hash.get(), size - kEdgeBytes, kEdgeBytes, buffer);
  }

  std::array<char, 2 * AV_HASH_MAX_SIZE + 1> hex{};
  av_hash_final_hex(hash.get(), reinterpret_cast<uint8_t*>(hex.data()),
                    static_cast<int>(hex.size()));
  return {size, std::string(hex.data())};
}

Fingerprint remote_fingerprint(std::string_view url, std::uintmax_t size_bytes) {
  AVHashContext* raw = nullptr;
  if (av_hash_alloc(&raw, "SHA256") < 0)
    throw Error(Errc::internal, "av_hash_alloc failed");
  Hash hash(raw);
  av_hash_init(hash.get());
  // "url:" keeps the keys of URLs and of local files apart.
  const std::string key = "url:" + std::to_string(size_bytes) + ":" + std::string(url);
  av_hash_update(hash.get(), reinterpret_cast<const uint8_t*>(key.data()), key.size());
  std::array<char, 2 * AV_HASH_MAX_SIZE + 1> hex{};
  av_hash_final_hex(hash.get(), reinterpret_cast<uint8_t*>(hex.data()),
                    static_cast<int>(hex.size()));
  return {size_bytes, std::string(hex.data())};
}

unsigned shard_of(const Fingerprint& fingerprint, unsigned shard_count) {
  if (shard_count <= 1)
    return 0;
  // The hash is uniformly distributed: its first 15 hex digits are a fair bucket key.
  const std::uint64_t bucket = std::stoull(fingerprint.content_hash.substr(0, 15), nullptr, 16);
  return static_cast<unsigned>(bucket % shard_count);
}

}  // namespace mavi

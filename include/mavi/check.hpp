// check(): probe plus evaluate for one path, never throwing for a bad file.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "mavi/media_info.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"

namespace mavi {

// A file a check left open, its head read and analysed: prepare() continues from it instead of
// reading and analysing the file again. Used up by the first prepare(). It holds a file
// descriptor and FFmpeg's demuxer state (a few MB): keep only those you will prepare soon.
class OpenedFile {
 public:
  struct Impl;  // libmavi's own
  explicit OpenedFile(std::unique_ptr<Impl> impl);
  ~OpenedFile();
  OpenedFile(const OpenedFile&) = delete;
  OpenedFile& operator=(const OpenedFile&) = delete;
  Impl& impl() noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct CheckResult {
  std::filesystem::path path;
  std::optional<MediaInfo> media;  // absent when the file could not be probed
  Verdict verdict;
  Rules rules;  // what the verdict was decided against
  Seconds elapsed{0};
  // The opened file, with ProbeOptions::keep_open when the probe succeeded; shared so that a
  // CheckResult stays copyable (every copy refers to the same, single-use handle).
  std::shared_ptr<OpenedFile> opened;
};

// A file that cannot be read becomes a rejected verdict, not an exception.
CheckResult check(const std::filesystem::path& path, const ProbeOptions& probe_options = {},
                  const Rules& rules = {});

}  // namespace mavi

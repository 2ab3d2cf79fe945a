// check(): probe plus evaluate for one path, never throwing for a bad file.
#pragma once

#include <filesystem>
#include <optional>

#include "mavi/media_info.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"

namespace mavi {

struct CheckResult {
  std::filesystem::path path;
  std::optional<MediaInfo> media;  // absent when the file could not be probed
  Verdict verdict;
  Seconds elapsed{0};
};

// A file that cannot be read becomes a rejected verdict, not an exception.
CheckResult check(const std::filesystem::path& path, const ProbeOptions& probe_options = {},
                  const Rules& rules = {});

}  // namespace mavi

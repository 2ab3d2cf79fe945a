// Verification of a prepared file before it gets its name.
#pragma once

#include <filesystem>
#include <vector>

#include "mavi/media_info.hpp"
#include "mavi/rules.hpp"
#include "prepare/stream_setup.hpp"

namespace mavi::detail {

// The longest duration among the kept input streams, else the file's; 0 when unknown.
double kept_duration(const AVFormatContext* in, const std::vector<OutStream>& streams);

struct Verified {
  MediaInfo media;  // the prepared file, probed
  Verdict verdict;  // its evaluation against the rules: ok
};

// Probes `prepared` (the output written for `input`), evaluates it against `rules`, and compares
// its duration with `expected_s` (when known: within max(0.5 s, 2 %)). Throws
// mavi::Error(verification_failed) with the reason.
Verified verify_output(const std::filesystem::path& prepared, const std::filesystem::path& input,
                       const Rules& rules, double expected_s);

}  // namespace mavi::detail

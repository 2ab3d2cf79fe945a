// Test media made on the fly: copies of a fixture that differ in content (their fingerprints
// differ), for batches where every file must be uploaded once.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mavi::test {

// Runs ffmpeg quietly (-nostdin -hide_banner -loglevel error -y, then `args`); the test fails,
// with ffmpeg's message, unless it succeeds.
void ffmpeg(std::vector<std::string> args);

// `count` MP4s in `dir` (created), clip0.mp4 ... clipN.mp4: h264_aac.mp4 with a title each.
void make_distinct_clips(const std::filesystem::path& dir, int count);

}  // namespace mavi::test

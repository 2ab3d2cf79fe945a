// ffmpeg as a test oracle for media outputs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mavi::test {

// Sizes and checksums of the first video stream's packets, timestamps left out (a remux rebases
// and rescales them on purpose): equal lists mean the same bitstream.
std::vector<std::string> packet_checksums(const std::filesystem::path& path);

// Presentation times (seconds) of the first video stream's decoded frames, in order, as
// ffprobe gives them; a frame without a time is NaN, so a check on its spacing fails.
std::vector<double> video_frame_times(const std::filesystem::path& path);

}  // namespace mavi::test

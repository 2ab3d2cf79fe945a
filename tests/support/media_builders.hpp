// Hand-made MediaInfo values for tests that decide without I/O (rules, plan): a conforming
// H.264/AAC MP4 and its streams, to be spoiled one field at a time.
#pragma once

#include <string>
#include <vector>

#include "mavi/media_info.hpp"

namespace mavi::test {

// A default 8-bit 4:2:0 progressive 30 fps video stream, 1920x1080 unless told, at index 0
// unless told.
StreamInfo video_stream(std::string codec = "h264");
StreamInfo video_stream(int index, std::string codec, int width = 1920, int height = 1080);

// A 48 kHz audio stream in English, stereo unless told ("mono" for 1 channel), at index 1
// unless told. Not marked default.
StreamInfo audio_stream(std::string codec = "aac");
StreamInfo audio_stream(int index, std::string codec, int channels = 2);

// A 10 MB file of `seconds` with these streams.
MediaInfo media(const std::string& path, const std::string& format_name,
                std::vector<StreamInfo> streams, double seconds = 10);

// clip.mp4: video_stream() and audio_stream() in MP4, 10 s, 10 MB; MAVI takes it as it is.
MediaInfo good_mp4();

}  // namespace mavi::test

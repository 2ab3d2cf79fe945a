// Small media files for the network tests: the fixtures when present, else made once with
// ffmpeg into a folder that lives as long as the test program.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "support/paths.hpp"
#include "support/run.hpp"

namespace mavi::test {

struct SampleMedia {
  std::filesystem::path accepted;  // H.264 + AAC in MP4: libmavi's rules accept it
  std::filesystem::path rejected;  // MPEG-4 part 2 in AVI: a codec MAVI does not take
};

inline const SampleMedia& sample_media() {
  static TempDir dir;
  static const SampleMedia media = [] {
    SampleMedia m;
    if (std::filesystem::exists(fixture("h264_aac.mp4")) &&
        std::filesystem::exists(fixture("mpeg4_mp3.avi"))) {
      m.accepted = fixture("h264_aac.mp4");
      m.rejected = fixture("mpeg4_mp3.avi");
      return m;
    }
    m.accepted = dir / "accepted.mp4";
    m.rejected = dir / "rejected.avi";
    const auto ok = run({"ffmpeg", "-v",      "error",     "-y",
                         "-f",     "lavfi",   "-i",        "testsrc2=d=1:s=160x120:r=10",
                         "-f",     "lavfi",   "-i",        "sine=d=1",
                         "-c:v",   "libx264", "-preset",   "ultrafast",
                         "-c:a",   "aac",     "-shortest", m.accepted.string()});
    const auto bad = run({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                          "testsrc2=d=1:s=160x120:r=10", "-c:v", "mpeg4", m.rejected.string()});
    if (ok.exit_code != 0 || bad.exit_code != 0) {
      throw std::runtime_error("ffmpeg could not make sample media: " + ok.err + bad.err);
    }
    return m;
  }();
  return media;
}

}  // namespace mavi::test

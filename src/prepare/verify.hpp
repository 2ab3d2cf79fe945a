// Verification of a prepared file before it gets its name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "mavi/media_info.hpp"
#include "mavi/rules.hpp"
#include "prepare/stream_setup.hpp"

namespace mavi::detail {

// The longest duration among the kept input streams, else the file's; 0 when unknown.
double kept_duration(const AVFormatContext* in, const std::vector<OutStream>& streams);

// What the input held, as the preparation read it: the reference an output is checked against.
struct Expected {
  double duration_s = 0;            // the input's (kept streams, else the file's); 0: unknown
  bool duration_estimated = false;  // duration_s is only FFmpeg's estimate from the bit rate
  std::int64_t video_frames = -1;   // video frames the output must hold (drops deducted); -1: any
  double video_s = 0;               // end of the input's last video frame; 0: not known
  double audio_s = 0;               // end of the input's last audio sample; 0: not known
  double frame_s = 0;               // the video's nominal frame duration; 0: not known
};

// The reference after a preparation read `in` through `streams` (their counters filled).
Expected expected_from(const AVFormatContext* in, const std::vector<OutStream>& streams);

struct Verified {
  MediaInfo media;  // the prepared file, probed
  Verdict verdict;  // its evaluation against the rules: ok
};

// Probes `prepared` (the output written for `input`), evaluates it against `rules`, and checks
// it against `expected`:
// - video: every packet timed, decode times strictly increasing, presentation times strictly
//   increasing with no gap under a quarter of the nominal frame duration, as many frames as
//   expected;
// - lengths: the file's duration within max(0.5 s, 2 %) of the input's, or, when that was
//   estimated or unknown, of the decoded one (the last frame's end); the video's and the
//   audio's ends each within max(0.1 s, two frames, 2 %) of the input's.
// Throws mavi::Error(verification_failed) with the reason.
Verified verify_output(const std::filesystem::path& prepared, const std::filesystem::path& input,
                       const Rules& rules, const Expected& expected);

}  // namespace mavi::detail

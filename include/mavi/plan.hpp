// plan(): decide, without any I/O, what preparing a file into a conforming MP4 takes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mavi/check.hpp"
#include "mavi/media_info.hpp"
#include "mavi/rules.hpp"

namespace mavi {

enum class StreamAction { copy, encode, drop };

struct StreamPlan {
  int input_index = 0;
  StreamType type = StreamType::unknown;
  std::string input_codec;  // "mpeg4", "pcm_s16le", ...
  StreamAction action = StreamAction::drop;
  std::string output_codec;  // "h264", "aac", or the copied codec; "" when dropped
  std::string reason;        // for a person: why copy, encode or drop
};

// The video filter steps, in the order they run. Only meaningful when video is encoded.
struct VideoSteps {
  int rotate_degrees = 0;  // clockwise, 0/90/180/270: applied to the pixels, metadata cleared
  bool deinterlace = false;
  HdrKind tone_map = HdrKind::none;  // PQ/HLG to SDR BT.709
  bool tone_map_available = true;    // false: colours are converted without tone mapping
  int width = 0;                     // output size (even), after rotation and downscaling
  int height = 0;
  bool scale = false;         // downscaled (--max-height)
  bool crop_to_even = false;  // odd width or height: the last column or row is cropped
  std::string pixel_format = "yuv420p";
  bool convert_pixel_format = false;  // input pixel format is not yuv420p
};

struct Plan {
  // The rules the prepared file must pass: those the check decided with. prepare() verifies
  // its output against them.
  Rules rules;
  Action action = Action::none;  // none: a plain remux would do; remux; transcode (video)
  std::vector<StreamPlan> streams;
  VideoSteps video;
  std::optional<std::int64_t> video_bit_rate;  // set when size-fitting (ABR), else CRF
  std::optional<Seconds> input_duration;
  std::uintmax_t estimated_size_bytes = 0;  // rough, for the size limit
  std::vector<std::string> warnings;

  const StreamPlan* video_stream() const noexcept;  // the kept video stream, if any
  const StreamPlan* audio_stream() const noexcept;  // the kept audio stream, if any
};

struct PrepareOptions;  // mavi/prepare.hpp

// What it takes to turn a checked file into one that passes the check's rules. The verdict's
// findings decide what is encoded (the rules decided them); the options add preparation
// choices (--max-height, bit rates). Throws mavi::Error: invalid_argument for a rejected
// verdict (nothing can fix it) or a check without media, unsupported when the size limit
// cannot be met at options.min_video_bit_rate.
Plan plan(const CheckResult& checked);
Plan plan(const CheckResult& checked, const PrepareOptions& options);

std::string_view to_string(StreamAction action) noexcept;

// Several lines for a person: overall action, one line per stream, filter steps, warnings.
std::string describe(const Plan& plan);

}  // namespace mavi

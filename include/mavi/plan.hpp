// plan(): decide, without any I/O, what preparing a file into a conforming MP4 takes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mavi/media_info.hpp"
#include "mavi/rules.hpp"

namespace mavi {

struct PrepareOptions {
  std::string preset = "veryfast";        // libx264 preset
  int crf = 23;                           // libx264 constant rate factor (0..51)
  std::optional<int> max_height;          // downscale (keeping the aspect ratio) when taller
  int threads = 0;                        // codec threads, 0 = automatic
  std::int64_t audio_bit_rate = 128'000;  // AAC, bits per second
  std::uintmax_t max_size_bytes = 3'000'000'000;  // the result must not be larger
  // Below this video bit rate a size-fitted encode is not worth watching: refuse instead.
  std::int64_t min_video_bit_rate = 250'000;
  // Re-encode what the strict rules would flag (pixel format, odd dimensions, rotation, HDR,
  // interlacing) even when the codec is accepted.
  bool strict = false;
  // false: an `output` that exists when the prepared file is ready is left alone and the
  // preparation fails (io) instead of replacing it.
  bool replace_output = true;
};

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

// Throws mavi::Error: invalid_argument for a rejected verdict (nothing can fix it),
// unsupported when the size limit cannot be met at options.min_video_bit_rate.
Plan plan(const MediaInfo& info, const Verdict& verdict, const PrepareOptions& options = {});

std::string_view to_string(StreamAction action) noexcept;

// Several lines for a person: overall action, one line per stream, filter steps, warnings.
std::string describe(const Plan& plan);

}  // namespace mavi

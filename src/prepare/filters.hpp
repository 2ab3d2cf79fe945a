// The video filter graph of a re-encode: the plan's steps (deinterlace, tone map, rotate, crop,
// scale, pixel format) between a buffer source and a buffer sink.
#pragma once

#include <string>

#include "ffmpeg/transcode_handles.hpp"
#include "mavi/plan.hpp"

namespace mavi::detail {

struct VideoFilter {
  ffmpeg::FilterGraph graph;
  AVFilterContext* src = nullptr;   // owned by graph
  AVFilterContext* sink = nullptr;  // owned by graph
};

// The filter description for `steps`, e.g. "transpose=clock,crop=320:240:0:0,format=yuv420p".
std::string video_filters(const VideoSteps& steps);

// A configured graph fed with the decoder's frames (timestamps in `time_base`). Throws
// mavi::Error: unsupported (size or pixel format unknown), media, internal.
VideoFilter build_video_filter(const AVCodecContext* decoder, AVRational time_base,
                               const VideoSteps& steps);

}  // namespace mavi::detail

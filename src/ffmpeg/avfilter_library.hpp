// libavfilter, loaded on first use instead of at program start: it and the ~30 libraries it
// pulls in (Vulkan, libplacebo, flite, ...) cost every program ~30 ms before main(), and only a
// video re-encode builds a filter graph. Private to libmavi.
#pragma once

#include <cstdint>  // before FFmpeg headers: UINT64_C for libavutil/common.h

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
}

namespace mavi::detail::ffmpeg {

// The libavfilter functions libmavi calls, resolved from the library loaded at run time.
struct AvFilterLibrary {
  decltype(&avfilter_get_by_name) get_by_name = nullptr;
  decltype(&avfilter_graph_alloc) graph_alloc = nullptr;
  decltype(&avfilter_graph_free) graph_free = nullptr;
  decltype(&avfilter_graph_create_filter) graph_create_filter = nullptr;
  decltype(&avfilter_graph_parse_ptr) graph_parse_ptr = nullptr;
  decltype(&avfilter_graph_config) graph_config = nullptr;
  decltype(&avfilter_inout_alloc) inout_alloc = nullptr;
  decltype(&avfilter_inout_free) inout_free = nullptr;
  decltype(&av_buffersrc_add_frame_flags) buffersrc_add_frame_flags = nullptr;
  decltype(&av_buffersink_get_frame) buffersink_get_frame = nullptr;
  decltype(&av_buffersink_get_w) buffersink_get_w = nullptr;
  decltype(&av_buffersink_get_h) buffersink_get_h = nullptr;
  decltype(&av_buffersink_get_format) buffersink_get_format = nullptr;
  decltype(&av_buffersink_get_sample_aspect_ratio) buffersink_get_sample_aspect_ratio = nullptr;
  decltype(&av_buffersink_get_time_base) buffersink_get_time_base = nullptr;
};

// Loads the libavfilter this libmavi was built against (same major version) once, thread-safely.
// Throws Error(Errc::unsupported) naming the library and the loader's reason when it cannot.
const AvFilterLibrary& avfilter();

}  // namespace mavi::detail::ffmpeg

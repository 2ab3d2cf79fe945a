// Owning handles for what preparation adds to probing (muxer, filters, resampler, audio FIFO).
// Private to libmavi. FFmpeg errors: ffmpeg/av_error.hpp.
#pragma once

#include <memory>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>
}

#include "ffmpeg/avfilter_library.hpp"
#include "ffmpeg/handles.hpp"

namespace mavi::detail::ffmpeg {

// An output context owns its AVIOContext too (closed here when the writer did not close it).
struct OutputFormatDeleter {
  void operator()(AVFormatContext* context) const noexcept {
    if (context == nullptr)
      return;
    if (context->oformat != nullptr && !(context->oformat->flags & AVFMT_NOFILE)) {
      avio_closep(&context->pb);
    }
    avformat_free_context(context);
  }
};
struct SwrDeleter {
  void operator()(SwrContext* context) const noexcept { swr_free(&context); }
};
struct FilterGraphDeleter {
  void operator()(AVFilterGraph* graph) const noexcept { avfilter().graph_free(&graph); }
};
struct FilterInOutDeleter {
  void operator()(AVFilterInOut* inout) const noexcept { avfilter().inout_free(&inout); }
};
struct AudioFifoDeleter {
  void operator()(AVAudioFifo* fifo) const noexcept { av_audio_fifo_free(fifo); }
};

using OutputFormat = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using Swr = std::unique_ptr<SwrContext, SwrDeleter>;
using FilterGraph = std::unique_ptr<AVFilterGraph, FilterGraphDeleter>;
using FilterInOut = std::unique_ptr<AVFilterInOut, FilterInOutDeleter>;
using AudioFifo = std::unique_ptr<AVAudioFifo, AudioFifoDeleter>;

}  // namespace mavi::detail::ffmpeg

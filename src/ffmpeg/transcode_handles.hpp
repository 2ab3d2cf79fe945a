// Owning handles for what preparation adds to probing (muxer, filters, resampler, audio FIFO),
// and the mapping of write errors to mavi::Errc. Private to libmavi.
#pragma once

#include <memory>
#include <string>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>
}

#include "ffmpeg/avfilter_library.hpp"
#include "ffmpeg/handles.hpp"
#include "mavi/error.hpp"

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

// The Errc an FFmpeg error code means while writing or transcoding: ENOSPC/EFBIG/EDQUOT
// disk_full, EACCES/EPERM/EROFS permission_denied, ENOENT not_found, EIO io, AVERROR_EXIT
// cancelled; `fallback` otherwise.
Errc classify(int averror, Errc fallback) noexcept;

// Throws Error(classify(averror, fallback), what + ": " + FFmpeg's text, averror) when
// averror is negative.
void ensure(int averror, Errc fallback, const std::string& what);

}  // namespace mavi::detail::ffmpeg

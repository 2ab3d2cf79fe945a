// Ownership of FFmpeg objects: every handle lives in a std::unique_ptr with a stateless deleter.
#pragma once

#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
}

namespace mavi::detail::ffmpeg {

struct InputFormatDeleter {
  void operator()(AVFormatContext* context) const noexcept { avformat_close_input(&context); }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* context) const noexcept { avcodec_free_context(&context); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const noexcept { av_frame_free(&frame); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const noexcept { av_packet_free(&packet); }
};

using InputFormat = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using CodecContext = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using Frame = std::unique_ptr<AVFrame, FrameDeleter>;
using Packet = std::unique_ptr<AVPacket, PacketDeleter>;

// Allocate, throwing mavi::Error(Errc::internal) when FFmpeg is out of memory.
Frame make_frame();
Packet make_packet();

}  // namespace mavi::detail::ffmpeg

#include "media/deep_check.hpp"

#include <algorithm>
#include <cmath>

#include <map>

#include "ffmpeg/av_error.hpp"
#include "ffmpeg/handles.hpp"
#include "mavi/error.hpp"
#include "mavi/prepare.hpp"

namespace mavi::detail {

namespace {

using Clock = std::chrono::steady_clock;

struct Deadline {
  Clock::time_point at;
  const CancelToken* cancel;
};

// FFmpeg calls this during blocking I/O; returning 1 aborts the read.
int past_deadline(void* opaque) {
  const auto* deadline = static_cast<const Deadline*>(opaque);
  return deadline->cancel->requested() || Clock::now() > deadline->at ? 1 : 0;
}

// A decoder for each stream worth decoding, keyed by stream index.
std::map<int, ffmpeg::CodecContext> open_decoders(AVFormatContext& format, DeepCheck& result) {
  std::map<int, ffmpeg::CodecContext> decoders;
  for (unsigned i = 0; i < format.nb_streams; ++i) {
    const AVStream* stream = format.streams[i];
    const AVCodecParameters* par = stream->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO && par->codec_type != AVMEDIA_TYPE_AUDIO)
      continue;
    if (stream->disposition & AV_DISPOSITION_ATTACHED_PIC)
      continue;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (codec == nullptr)
      continue;
    ffmpeg::CodecContext context(avcodec_alloc_context3(codec));
    if (!context)
      continue;
    int err = avcodec_parameters_to_context(context.get(), par);
    // One thread per decoder: callers check many files in parallel already.
    context->thread_count = 1;
    // Report damage instead of concealing it silently.
    context->err_recognition |= AV_EF_EXPLODE | AV_EF_CRCCHECK;
    if (err >= 0)
      err = avcodec_open2(context.get(), codec, nullptr);
    if (err < 0) {
      ++result.decode_errors;
      if (result.first_error.empty()) {
        result.first_error =
            "open decoder for stream " + std::to_string(i) + ": " + ffmpeg::error_text(err);
      }
      continue;
    }
    decoders.emplace(static_cast<int>(i), std::move(context));
  }
  return decoders;
}

void note_error(DeepCheck& result, const std::string& what, int err) {
  ++result.decode_errors;
  if (result.first_error.empty())
    result.first_error = what + ": " + ffmpeg::error_text(err);
}

// Extends read_until to the end of `packet`, in seconds from its stream's start.
void note_time(const AVFormatContext& format, const AVPacket& packet, DeepCheck& result) {
  if (packet.pts == AV_NOPTS_VALUE || packet.stream_index < 0 ||
      static_cast<unsigned>(packet.stream_index) >= format.nb_streams)
    return;
  const AVStream& stream = *format.streams[packet.stream_index];
  const std::int64_t start = stream.start_time == AV_NOPTS_VALUE ? 0 : stream.start_time;
  // Hostile timestamps can be anything: compute in double, never in overflowing integers.
  const double end = (static_cast<double>(packet.pts) - static_cast<double>(start) +
                      static_cast<double>(std::max<std::int64_t>(packet.duration, 0))) *
                     av_q2d(stream.time_base);
  if (!std::isfinite(end))
    return;
  if (!result.read_until || end > result.read_until->count())
    result.read_until = Seconds(end);
}

// Send one packet (nullptr flushes) and drain every frame it yields.
void decode(AVCodecContext& decoder, const AVPacket* packet, AVFrame& frame, DeepCheck& result) {
  int err = avcodec_send_packet(&decoder, packet);
  if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_EOF) {
    note_error(result, "decode", err);
    return;
  }
  while (true) {
    err = avcodec_receive_frame(&decoder, &frame);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
      return;
    if (err < 0) {
      note_error(result, "decode", err);
      return;
    }
    if (decoder.codec_type == AVMEDIA_TYPE_VIDEO)
      ++result.video_frames_decoded;
    else
      ++result.audio_frames_decoded;
    if (frame.decode_error_flags != 0 || (frame.flags & AV_FRAME_FLAG_CORRUPT)) {
      note_error(result, "decoded a damaged frame", AVERROR_INVALIDDATA);
    }
    av_frame_unref(&frame);
  }
}

}  // namespace

DeepCheck deep_check(AVFormatContext& format, std::chrono::milliseconds time_limit,
                     const CancelToken& cancel) {
  DeepCheck result;
  const auto start = Clock::now();
  Deadline deadline{start + time_limit, &cancel};
  const AVIOInterruptCB previous = format.interrupt_callback;
  format.interrupt_callback = {past_deadline, &deadline};

  auto decoders = open_decoders(format, result);
  ffmpeg::Packet packet = ffmpeg::make_packet();
  ffmpeg::Frame frame = ffmpeg::make_frame();
  bool timed_out = false;
  while (true) {
    // The caller's token (a signal, for the programs) stops a long deep check.
    if (cancel.requested()) {
      format.interrupt_callback = previous;
      throw Error(Errc::cancelled, "deep check cancelled");
    }
    if (Clock::now() > deadline.at) {
      timed_out = true;
      break;
    }
    const int err = av_read_frame(&format, packet.get());
    if (ffmpeg::is_end_of_input(&format, err))
      break;
    if (err == AVERROR_EXIT) {
      timed_out = true;
      break;
    }
    if (err < 0) {
      note_error(result, "read", err);
      break;
    }
    ++result.packets_read;
    note_time(format, *packet, result);
    if (auto it = decoders.find(packet->stream_index); it != decoders.end()) {
      decode(*it->second, packet.get(), *frame, result);
    }
    av_packet_unref(packet.get());
  }
  if (cancel.requested()) {  // the read was interrupted for it
    format.interrupt_callback = previous;
    throw Error(Errc::cancelled, "deep check cancelled");
  }
  if (!timed_out) {
    for (auto& [index, decoder] : decoders)
      decode(*decoder, nullptr, *frame, result);
  }
  format.interrupt_callback = previous;
  result.completed = !timed_out;
  result.elapsed = Clock::now() - start;
  return result;
}

}  // namespace mavi::detail

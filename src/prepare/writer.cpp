#include "prepare/writer.hpp"

#include <algorithm>
#include <string>

#include "ffmpeg/av_error.hpp"
#include "mavi/error.hpp"

namespace mavi::detail {

using ffmpeg::avfilter;
using ffmpeg::ensure;

Writer::Writer(AVFormatContext* out, std::vector<OutStream>& streams,
               const PrepareProgress& progress, double total_s, Job& job)
    : out_(out),
      streams_(streams),
      progress_(progress),
      total_s_(total_s),
      job_(job),
      start_(Clock::now()) {}

void Writer::handle(Item& item) {
  OutStream& os = streams_[static_cast<size_t>(item.out_index)];
  if (item.packet) {
    write_copied(os, item.packet.get());
  } else if (os.is_video()) {
    filter_video(os, item.frame.get());
  } else {
    resample_audio(os, item.frame.get());
  }
}

void Writer::finish() {
  for (auto& os : streams_) {
    if (!os.encoder)
      continue;
    if (os.filter.graph) {
      filter_video(os, nullptr);
    } else {
      resample_audio(os, nullptr);
    }
    encode(os, nullptr);
  }
}

void Writer::write_copied(OutStream& os, AVPacket* pkt) {
  if (pkt->pts != AV_NOPTS_VALUE)
    pkt->pts -= os.in_offset;
  if (pkt->dts != AV_NOPTS_VALUE)
    pkt->dts -= os.in_offset;
  av_packet_rescale_ts(pkt, os.in->time_base, os.out->time_base);
  pkt->stream_index = os.out_index;
  pkt->pos = -1;
  mux(os, pkt);
}

void Writer::filter_video(OutStream& os, AVFrame* frame) {
  if (frame != nullptr) {
    frame->pts = frame->best_effort_timestamp;
    if (frame->pts == AV_NOPTS_VALUE) {
      frame->pts = os.last_in_pts == AV_NOPTS_VALUE ? 0 : os.last_in_pts + 1;
    } else {
      frame->pts -= os.in_offset;
    }
    os.last_in_pts = frame->pts;
    frame->pict_type = AV_PICTURE_TYPE_NONE;
  }
  ensure(avfilter().buffersrc_add_frame_flags(os.filter.src, frame, 0), Errc::media,
         "video filters");
  for (;;) {
    if (!filtered_)
      filtered_ = ffmpeg::make_frame();
    const int ret = avfilter().buffersink_get_frame(os.filter.sink, filtered_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
      break;
    ensure(ret, Errc::media, "video filters");
    // Same timestamp twice (or going back): drop, as ffmpeg's vfr mode does for MP4.
    if (filtered_->pts == AV_NOPTS_VALUE ||
        (os.last_pts != AV_NOPTS_VALUE && filtered_->pts <= os.last_pts)) {
      av_frame_unref(filtered_.get());
      continue;
    }
    os.last_pts = filtered_->pts;
    filtered_->pict_type = AV_PICTURE_TYPE_NONE;
    encode(os, filtered_.get());
    av_frame_unref(filtered_.get());
  }
}

void Writer::resample_audio(OutStream& os, AVFrame* frame) {
  AVCodecContext* enc = os.encoder.get();
  if (frame != nullptr && !os.swr) {
    SwrContext* raw = nullptr;
    ensure(swr_alloc_set_opts2(&raw, &enc->ch_layout, enc->sample_fmt, enc->sample_rate,
                               &frame->ch_layout, static_cast<AVSampleFormat>(frame->format),
                               frame->sample_rate, 0, nullptr),
           Errc::media, "audio resampler");
    os.swr.reset(raw);
    ensure(swr_init(os.swr.get()), Errc::media, "audio resampler");
    const int64_t pts = frame->best_effort_timestamp;
    os.next_audio_pts = pts == AV_NOPTS_VALUE
                            ? 0
                            : av_rescale_q(pts - os.in_offset, os.in->time_base, enc->time_base);
  }
  if (!os.swr)
    return;
  const int in_samples = frame != nullptr ? frame->nb_samples : 0;
  const int out_samples = swr_get_out_samples(os.swr.get(), in_samples);
  if (out_samples > 0) {
    if (!converted_)
      converted_ = ffmpeg::make_frame();
    av_frame_unref(converted_.get());
    converted_->format = enc->sample_fmt;
    ensure(av_channel_layout_copy(&converted_->ch_layout, &enc->ch_layout), Errc::internal,
           "channel layout");
    converted_->sample_rate = enc->sample_rate;
    converted_->nb_samples = out_samples;
    ensure(av_frame_get_buffer(converted_.get(), 0), Errc::internal, "audio buffer");
    const int n = swr_convert(
        os.swr.get(), converted_->data, out_samples,
        frame != nullptr ? const_cast<const uint8_t**>(frame->extended_data) : nullptr, in_samples);
    ensure(n, Errc::media, "resampling audio");
    if (n > 0 &&
        av_audio_fifo_write(os.fifo.get(), reinterpret_cast<void**>(converted_->data), n) < n) {
      throw Error(Errc::internal, "audio FIFO write failed");
    }
  }
  const int frame_size = enc->frame_size > 0 ? enc->frame_size : 1024;
  while (av_audio_fifo_size(os.fifo.get()) >= frame_size ||
         (frame == nullptr && av_audio_fifo_size(os.fifo.get()) > 0)) {
    const int n = std::min(frame_size, av_audio_fifo_size(os.fifo.get()));
    ffmpeg::Frame chunk = ffmpeg::make_frame();
    chunk->format = enc->sample_fmt;
    ensure(av_channel_layout_copy(&chunk->ch_layout, &enc->ch_layout), Errc::internal,
           "channel layout");
    chunk->sample_rate = enc->sample_rate;
    chunk->nb_samples = n;
    ensure(av_frame_get_buffer(chunk.get(), 0), Errc::internal, "audio buffer");
    if (av_audio_fifo_read(os.fifo.get(), reinterpret_cast<void**>(chunk->data), n) < n) {
      throw Error(Errc::internal, "audio FIFO read failed");
    }
    chunk->pts = os.next_audio_pts;
    os.next_audio_pts += n;
    encode(os, chunk.get());
  }
}

void Writer::encode(OutStream& os, AVFrame* frame) {
  AVCodecContext* enc = os.encoder.get();
  int ret = avcodec_send_frame(enc, frame);
  if (ret == AVERROR_EOF)
    return;  // already flushed
  ensure(ret, Errc::media, std::string("encoding ") + enc->codec->name);
  for (;;) {
    if (!packet_)
      packet_ = ffmpeg::make_packet();
    ret = avcodec_receive_packet(enc, packet_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
      return;
    ensure(ret, Errc::media, std::string("encoding ") + enc->codec->name);
    if (packet_->duration == 0 && os.filter.graph)
      packet_->duration = os.frame_duration;
    av_packet_rescale_ts(packet_.get(), enc->time_base, os.out->time_base);
    packet_->stream_index = os.out_index;
    mux(os, packet_.get());
  }
}

void Writer::mux(OutStream& os, AVPacket* pkt) {
  if (job_.stopped())
    throw Error(Errc::cancelled, "preparation cancelled");
  const bool is_video = os.out->codecpar->codec_type == AVMEDIA_TYPE_VIDEO;
  const int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
  if (is_video && ts != AV_NOPTS_VALUE) {
    done_s_ = std::max(done_s_, static_cast<double>(ts) * av_q2d(os.out->time_base));
  }
  const int ret = av_interleaved_write_frame(out_, pkt);  // takes the packet's reference
  av_packet_unref(pkt);
  ensure(ret, Errc::io, "writing the output");
  if (is_video)
    report();
}

void Writer::report() {
  const auto now = Clock::now();
  if (reported_ && now - last_report_ < std::chrono::milliseconds(250))
    return;
  reported_ = true;
  last_report_ = now;
  if (!progress_)
    return;
  const double wall = std::chrono::duration<double>(now - start_).count();
  const double speed = wall > 0 ? done_s_ / wall : 0;
  if (!progress_(done_s_, total_s_, speed)) {
    job_.stop = true;
    throw Error(Errc::cancelled, "preparation cancelled");
  }
}

}  // namespace mavi::detail

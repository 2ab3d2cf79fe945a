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

namespace {

// A frame's own duration, input time base: the container's, else the gap before it (the
// stream's actual spacing), else one frame at the stream's rate (repeat_pict counts extra
// fields); 0 when nothing says.
int64_t own_duration(const OutStream& os, int64_t container, int repeat_pict) {
  if (container > 0)
    return container;
  if (os.last_gap > 0)
    return os.last_gap;
  if (os.nominal_duration > 0)
    return os.nominal_duration * (2 + std::max(0, repeat_pict)) / 2;
  return 0;
}

// The time a frame without a usable timestamp gets: right after the previous one.
int64_t after_previous(const OutStream& os, int64_t last) {
  return last == AV_NOPTS_VALUE ? 0 : last + std::max<int64_t>(1, os.last_in_duration);
}

// Two frames closer than a quarter of the nominal frame duration "nearly share" a time.
int64_t min_gap(const OutStream& os) {
  return std::max<int64_t>(1, os.nominal_duration / 4);
}

}  // namespace

void Writer::write_copied(OutStream& os, AVPacket* pkt) {
  if (pkt->pts != AV_NOPTS_VALUE)
    pkt->pts -= os.in_offset;
  if (pkt->dts != AV_NOPTS_VALUE)
    pkt->dts -= os.in_offset;
  const bool video = os.is_video();
  const bool reorders = video && os.in->codecpar->video_delay > 0;
  if (pkt->pts != AV_NOPTS_VALUE)
    pkt->pts += os.shift;
  if (pkt->dts != AV_NOPTS_VALUE)
    pkt->dts += os.shift;
  if (pkt->pts == AV_NOPTS_VALUE && pkt->dts == AV_NOPTS_VALUE) {
    // No time at all: right after the previous packet (decode order is presentation order
    // when nothing says otherwise).
    pkt->dts = after_previous(os, os.last_in_dts);
    pkt->pts = pkt->dts;
  } else if (pkt->pts == AV_NOPTS_VALUE && !reorders) {
    pkt->pts = pkt->dts;
  }
  // Decode times must increase strictly (the MP4 muxer refuses otherwise): nudged as ffmpeg
  // does, the presentation time kept at or after it.
  if (pkt->dts != AV_NOPTS_VALUE && os.last_in_dts != AV_NOPTS_VALUE &&
      pkt->dts <= os.last_in_dts) {
    const int64_t step = std::max<int64_t>(1, os.last_in_duration);
    if (pkt->dts < os.last_in_dts - step) {
      // A jump back (timestamps restarting mid-file): what follows continues after the
      // previous packet instead of piling up one tick apart.
      const int64_t shift = os.last_in_dts + step - pkt->dts;
      os.shift += shift;
      pkt->dts += shift;
      if (pkt->pts != AV_NOPTS_VALUE)
        pkt->pts += shift;
    } else {
      pkt->dts = os.last_in_dts + 1;
      if (pkt->pts != AV_NOPTS_VALUE && pkt->pts < pkt->dts)
        pkt->pts = pkt->dts;
    }
  }
  if (pkt->dts != AV_NOPTS_VALUE && os.last_in_dts != AV_NOPTS_VALUE)
    os.last_gap = pkt->dts - os.last_in_dts;
  if (pkt->duration <= 0 && video) {
    pkt->duration = own_duration(os, 0, 0);
  } else if (pkt->duration <= 0) {
    // Audio: the codec's frame size says how long a packet plays.
    const int samples = av_get_audio_frame_duration2(os.in->codecpar, pkt->size);
    if (samples > 0 && os.in->codecpar->sample_rate > 0) {
      pkt->duration =
          av_rescale_q(samples, AVRational{1, os.in->codecpar->sample_rate}, os.in->time_base);
    }
  }
  if (pkt->duration > 0)
    os.last_in_duration = pkt->duration;
  if (pkt->dts != AV_NOPTS_VALUE)
    os.last_in_dts = pkt->dts;
  // The end as the timestamps say, and as the durations add up (independent of timestamps,
  // so the verification notices packets crammed together).
  if (pkt->pts != AV_NOPTS_VALUE) {
    if (os.first_pts == AV_NOPTS_VALUE)
      os.first_pts = pkt->pts;
    const int64_t end = pkt->pts + std::max<int64_t>(0, pkt->duration);
    os.end_s = std::max(os.end_s, static_cast<double>(end) * av_q2d(os.in->time_base));
  }
  os.played += std::max<int64_t>(0, pkt->duration);
  if (!video && os.first_pts != AV_NOPTS_VALUE) {
    os.end_s = std::max(os.end_s,
                        static_cast<double>(os.first_pts + os.played) * av_q2d(os.in->time_base));
  }
  if (video)
    ++os.frames;
  av_packet_rescale_ts(pkt, os.in->time_base, os.out->time_base);
  pkt->stream_index = os.out_index;
  pkt->pos = -1;
  mux(os, pkt);
}

void Writer::filter_video(OutStream& os, AVFrame* frame) {
  const AVRational enc_tb = os.encoder->time_base;
  if (frame != nullptr) {
    // The decoder's best-effort time; none, or one not clearly after the previous frame's
    // (trailing MPEG-PS frames with only a DTS, files with no timestamps at all): the previous
    // frame's time plus its duration.
    // A frame without a PTS of its own has a best-effort time from a DTS, which a decoder that
    // holds frames back (B-frames) gives the frame decoded after it: it follows the previous
    // frame too, unless that DTS shows a real gap (over 1.5 frames).
    int64_t ts = frame->best_effort_timestamp;
    if (ts != AV_NOPTS_VALUE)
      ts -= os.in_offset;
    const int64_t next = after_previous(os, os.last_in_pts);
    if (ts == AV_NOPTS_VALUE ||
        (os.last_in_pts != AV_NOPTS_VALUE && ts < os.last_in_pts + min_gap(os))) {
      ts = next;
    } else if (frame->pts == AV_NOPTS_VALUE && os.last_in_pts != AV_NOPTS_VALUE &&
               ts - next <= std::max<int64_t>(1, os.last_in_duration) * 3 / 2) {
      ts = next;
    }
    // The previous frame lasts until this one; this one, until told otherwise, its own duration
    // (the last frame keeps it: a frame without a duration would end the video too early).
    if (os.last_in_pts != AV_NOPTS_VALUE) {
      os.last_gap = ts - os.last_in_pts;
      os.pending_durations[av_rescale_q(os.last_in_pts, os.in->time_base, enc_tb)] =
          std::max<int64_t>(1, av_rescale_q(os.last_gap, os.in->time_base, enc_tb));
    }
    os.last_in_duration =
        std::max<int64_t>(1, own_duration(os, frame->pkt_duration, frame->repeat_pict));
    os.pending_durations[av_rescale_q(ts, os.in->time_base, enc_tb)] =
        std::max<int64_t>(1, av_rescale_q(os.last_in_duration, os.in->time_base, enc_tb));
    frame->pts = ts;
    os.last_in_pts = ts;
    os.end_s = std::max(os.end_s,
                        static_cast<double>(ts + os.last_in_duration) * av_q2d(os.in->time_base));
    ++os.frames;
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
      ++os.dropped;
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
  if (frame != nullptr && frame->best_effort_timestamp != AV_NOPTS_VALUE) {
    // A gap in the input's audio (over 0.1 s, as aresample's async mode tolerates) is filled
    // with silence, so what follows stays in sync with the video. Frames without a time follow
    // on from the previous ones.
    const int64_t at =
        av_rescale_q(frame->best_effort_timestamp - os.in_offset, os.in->time_base, enc->time_base);
    const int64_t expected = os.next_audio_pts + av_audio_fifo_size(os.fifo.get()) +
                             swr_get_delay(os.swr.get(), enc->sample_rate);
    const int64_t gap = at - expected;
    if (gap > enc->sample_rate / 10 && gap < int64_t{enc->sample_rate} * 3600) {
      ffmpeg::Frame silence = ffmpeg::make_frame();
      silence->format = enc->sample_fmt;
      ensure(av_channel_layout_copy(&silence->ch_layout, &enc->ch_layout), Errc::internal,
             "channel layout");
      silence->nb_samples = static_cast<int>(gap);
      ensure(av_frame_get_buffer(silence.get(), 0), Errc::internal, "audio buffer");
      av_samples_set_silence(silence->extended_data, 0, silence->nb_samples,
                             silence->ch_layout.nb_channels, enc->sample_fmt);
      if (av_audio_fifo_write(os.fifo.get(), reinterpret_cast<void**>(silence->extended_data),
                              silence->nb_samples) < silence->nb_samples) {
        throw Error(Errc::internal, "audio FIFO write failed");
      }
      os.silence_samples += gap;
    }
  }
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
    os.end_s = static_cast<double>(os.next_audio_pts) * av_q2d(enc->time_base);
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
    if (os.filter.graph) {
      const auto known = os.pending_durations.find(packet_->pts);
      if (known != os.pending_durations.end()) {
        packet_->duration = known->second;
        os.pending_durations.erase(known);
      } else if (packet_->duration == 0) {
        packet_->duration = os.frame_duration;
      }
    }
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
  os.bytes += pkt->size;
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

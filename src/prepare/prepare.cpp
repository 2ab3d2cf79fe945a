#include "mavi/prepare.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "ffmpeg/transcode_handles.hpp"
#include "mavi/error.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"
#include "media/opened_media.hpp"
#include "prepare/frame_queue.hpp"
#include "prepare/place_file.hpp"

extern "C" {
#include <libavutil/opt.h>
}

namespace mavi {
namespace {

static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler must be able to set it");

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using detail::ffmpeg::avfilter;
using detail::ffmpeg::ensure;

[[noreturn]] void fail_av(int averror, Errc fallback, const std::string& what) {
  ensure(averror, fallback, what);
  throw Error(fallback, what);
}

// The temporary output: removed on destruction unless it was renamed into place.
class TempFile {
 public:
  explicit TempFile(const fs::path& output) {
    fs::path dir = output.parent_path();
    if (dir.empty())
      dir = ".";
    // O_EXCL with a random suffix (not mkstemps) so the file gets the umask's usual mode.
    std::random_device entropy;
    int e = EEXIST;
    for (int attempt = 0; attempt < 100 && e == EEXIST; ++attempt) {
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(entropy()));
      fs::path candidate = dir / ("." + output.stem().string() + ".partial-" + suffix + ".mp4");
      const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0) {
        ::close(fd);
        path_ = candidate;
        return;
      }
      e = errno;
    }
    Errc kind = Errc::io;
    if (e == EACCES || e == EPERM || e == EROFS)
      kind = Errc::permission_denied;
    if (e == ENOENT || e == ENOTDIR)
      kind = Errc::not_found;
    if (e == ENOSPC || e == EDQUOT)
      kind = Errc::disk_full;
    throw Error(kind, "cannot create a file in " + dir.string() + ": " + std::strerror(e), e);
  }
  ~TempFile() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const fs::path& path() const { return path_; }

  void commit(const fs::path& output, bool replace) {
    detail::rename_into_place(path_, output, replace);
    path_.clear();
  }

 private:
  fs::path path_;
};

// One unit of work handed from the reading thread to the writing thread.
struct Item {
  int out_index = -1;
  detail::ffmpeg::Packet packet;  // a packet to copy
  detail::ffmpeg::Frame frame;    // a decoded frame to encode
};

struct Job;

int interrupt_cb(void* opaque);

// Per output stream state.
struct OutStream {
  const StreamPlan* plan = nullptr;
  AVStream* in = nullptr;
  AVStream* out = nullptr;
  int out_index = -1;
  int64_t in_offset = 0;  // subtracted from input timestamps (the file's start time)
  detail::ffmpeg::CodecContext decoder;
  detail::ffmpeg::CodecContext encoder;
  // Video encode.
  detail::ffmpeg::FilterGraph graph;
  AVFilterContext* src = nullptr;
  AVFilterContext* sink = nullptr;
  int64_t last_pts = AV_NOPTS_VALUE;     // last frame given to the encoder
  int64_t last_in_pts = AV_NOPTS_VALUE;  // last frame given to the filters
  int64_t frame_duration = 0;  // in encoder time base, for packets the encoder leaves at 0
  // Audio encode.
  detail::ffmpeg::Swr swr;
  detail::ffmpeg::AudioFifo fifo;
  int64_t next_audio_pts = AV_NOPTS_VALUE;
};

// One preparation's stop state: its own failure (stop) or the caller's token.
struct Job {
  std::atomic<bool> stop{false};
  CancelToken cancel;
  bool stopped() const noexcept { return stop.load() || cancel.requested(); }
};

int interrupt_cb(void* opaque) {
  auto* job = static_cast<Job*>(opaque);
  return job->stopped() ? 1 : 0;
}

detail::ffmpeg::CodecContext open_decoder(AVStream* st, int threads) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr) {
    throw Error(Errc::unsupported,
                std::string("no decoder for ") + avcodec_get_name(st->codecpar->codec_id));
  }
  detail::ffmpeg::CodecContext ctx(avcodec_alloc_context3(codec));
  if (!ctx)
    throw Error(Errc::internal, "avcodec_alloc_context3 failed");
  ensure(avcodec_parameters_to_context(ctx.get(), st->codecpar), Errc::media, "decoder parameters");
  ctx->pkt_timebase = st->time_base;
  ctx->thread_count = threads;
  ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  ensure(avcodec_open2(ctx.get(), codec, nullptr), Errc::media,
         std::string("opening the ") + codec->name + " decoder");
  return ctx;
}

std::string video_filters(const VideoSteps& steps) {
  std::vector<std::string> f;
  if (steps.deinterlace)
    f.push_back("bwdif=mode=send_frame:parity=auto:deint=all");
  if (steps.tone_map != HdrKind::none) {
    const char* tin = steps.tone_map == HdrKind::pq ? "smpte2084" : "arib-std-b67";
    if (steps.tone_map_available) {
      f.push_back(std::string("zscale=tin=") + tin +
                  ":min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100");
      f.push_back("format=gbrpf32le");
      f.push_back("zscale=p=bt709");
      f.push_back("tonemap=tonemap=hable:desat=0");
      f.push_back("zscale=t=bt709:m=bt709:r=tv");
    } else {
      f.push_back("scale=in_color_matrix=bt2020:out_color_matrix=bt709");
    }
  }
  switch (steps.rotate_degrees) {
    case 90:
      f.push_back("transpose=clock");
      break;
    case 180:
      f.push_back("hflip");
      f.push_back("vflip");
      break;
    case 270:
      f.push_back("transpose=cclock");
      break;
    default:
      break;
  }
  const std::string size = std::to_string(steps.width) + ":" + std::to_string(steps.height);
  if (steps.crop_to_even)
    f.push_back("crop=" + size + ":0:0");
  if (steps.scale)
    f.push_back("scale=" + size);
  f.push_back("format=" + steps.pixel_format);
  std::string joined;
  for (const auto& s : f)
    joined += (joined.empty() ? "" : ",") + s;
  return joined;
}

void build_video_graph(OutStream& os, const VideoSteps& steps) {
  AVCodecContext* dec = os.decoder.get();
  if (dec->pix_fmt == AV_PIX_FMT_NONE || dec->width <= 0 || dec->height <= 0) {
    throw Error(Errc::unsupported, "the video's size or pixel format is unknown");
  }
  os.graph.reset(avfilter().graph_alloc());
  if (!os.graph)
    throw Error(Errc::internal, "avfilter_graph_alloc failed");
  const AVRational tb = os.in->time_base;
  AVRational sar = dec->sample_aspect_ratio;
  if (sar.num <= 0 || sar.den <= 0)
    sar = AVRational{1, 1};
  const std::string args =
      "video_size=" + std::to_string(dec->width) + "x" + std::to_string(dec->height) +
      ":pix_fmt=" + std::to_string(dec->pix_fmt) + ":time_base=" + std::to_string(tb.num) + "/" +
      std::to_string(tb.den) + ":pixel_aspect=" + std::to_string(sar.num) + "/" +
      std::to_string(sar.den);
  ensure(avfilter().graph_create_filter(&os.src, avfilter().get_by_name("buffer"), "in",
                                        args.c_str(), nullptr, os.graph.get()),
         Errc::media, "video filter source");
  ensure(avfilter().graph_create_filter(&os.sink, avfilter().get_by_name("buffersink"), "out",
                                        nullptr, nullptr, os.graph.get()),
         Errc::media, "video filter sink");
  detail::ffmpeg::FilterInOut outputs(avfilter().inout_alloc());
  detail::ffmpeg::FilterInOut inputs(avfilter().inout_alloc());
  if (!outputs || !inputs)
    throw Error(Errc::internal, "avfilter_inout_alloc failed");
  outputs->name = av_strdup("in");
  outputs->filter_ctx = os.src;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = os.sink;
  const std::string desc = video_filters(steps);
  AVFilterInOut* in_raw = inputs.release();
  AVFilterInOut* out_raw = outputs.release();
  int ret = avfilter().graph_parse_ptr(os.graph.get(), desc.c_str(), &in_raw, &out_raw, nullptr);
  inputs.reset(in_raw);
  outputs.reset(out_raw);
  ensure(ret, Errc::media, "video filters \"" + desc + "\"");
  ensure(avfilter().graph_config(os.graph.get(), nullptr), Errc::media,
         "configuring video filters \"" + desc + "\"");
}

void open_video_encoder(OutStream& os, AVFormatContext* out_ctx, const Plan& plan,
                        const PrepareOptions& options, AVFormatContext* in_ctx) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (codec == nullptr)
    throw Error(Errc::unsupported, "this FFmpeg has no libx264 encoder");
  os.encoder.reset(avcodec_alloc_context3(codec));
  AVCodecContext* enc = os.encoder.get();
  if (enc == nullptr)
    throw Error(Errc::internal, "avcodec_alloc_context3 failed");
  enc->width = avfilter().buffersink_get_w(os.sink);
  enc->height = avfilter().buffersink_get_h(os.sink);
  enc->pix_fmt = static_cast<AVPixelFormat>(avfilter().buffersink_get_format(os.sink));
  enc->sample_aspect_ratio = avfilter().buffersink_get_sample_aspect_ratio(os.sink);
  // Timestamps pass through in the stream's own time base: variable frame rates survive.
  enc->time_base = avfilter().buffersink_get_time_base(os.sink);
  const AVRational rate = av_guess_frame_rate(in_ctx, os.in, nullptr);
  if (rate.num > 0 && rate.den > 0) {
    enc->framerate = rate;
    os.frame_duration = std::max<int64_t>(1, av_rescale_q(1, av_inv_q(rate), enc->time_base));
  } else {
    os.frame_duration = 1;
  }
  enc->thread_count = options.threads;
  enc->color_range = AVCOL_RANGE_MPEG;
  if (plan.video.tone_map != HdrKind::none) {
    enc->color_primaries = AVCOL_PRI_BT709;
    enc->color_trc = AVCOL_TRC_BT709;
    enc->colorspace = AVCOL_SPC_BT709;
  } else {
    enc->color_primaries = os.in->codecpar->color_primaries;
    enc->color_trc = os.in->codecpar->color_trc;
    enc->colorspace = os.in->codecpar->color_space;
  }
  if (out_ctx->oformat->flags & AVFMT_GLOBALHEADER)
    enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "preset", options.preset.c_str(), 0);
  av_dict_set(&opts, "profile", "high", 0);
  if (plan.video_bit_rate) {
    enc->bit_rate = *plan.video_bit_rate;
    enc->rc_max_rate = *plan.video_bit_rate * 3 / 2;
    enc->rc_buffer_size = static_cast<int>(std::min<int64_t>(*plan.video_bit_rate * 2, INT32_MAX));
  } else {
    av_dict_set(&opts, "crf", std::to_string(options.crf).c_str(), 0);
  }
  const int ret = avcodec_open2(enc, codec, &opts);
  av_dict_free(&opts);
  ensure(
      ret, Errc::invalid_argument,
      "opening libx264 (preset " + options.preset + ", crf " + std::to_string(options.crf) + ")");
  ensure(avcodec_parameters_from_context(os.out->codecpar, enc), Errc::media,
         "video encoder parameters");
  os.out->time_base = enc->time_base;
  os.out->sample_aspect_ratio = enc->sample_aspect_ratio;
}

void open_audio_encoder(OutStream& os, AVFormatContext* out_ctx, const PrepareOptions& options) {
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  if (codec == nullptr)
    throw Error(Errc::unsupported, "this FFmpeg has no aac encoder");
  os.encoder.reset(avcodec_alloc_context3(codec));
  AVCodecContext* enc = os.encoder.get();
  if (enc == nullptr)
    throw Error(Errc::internal, "avcodec_alloc_context3 failed");
  const AVCodecContext* dec = os.decoder.get();
  int rate = 48000;
  if (codec->supported_samplerates != nullptr) {
    for (const int* r = codec->supported_samplerates; *r != 0; ++r) {
      if (*r == dec->sample_rate)
        rate = *r;
    }
  }
  enc->sample_rate = rate;
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
  av_channel_layout_default(&enc->ch_layout, dec->ch_layout.nb_channels == 1 ? 1 : 2);
  enc->bit_rate = options.audio_bit_rate;
  enc->time_base = AVRational{1, rate};
  enc->profile = FF_PROFILE_AAC_LOW;
  if (out_ctx->oformat->flags & AVFMT_GLOBALHEADER)
    enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  ensure(avcodec_open2(enc, codec, nullptr), Errc::media, "opening the AAC encoder");
  ensure(avcodec_parameters_from_context(os.out->codecpar, enc), Errc::media,
         "audio encoder parameters");
  os.out->time_base = enc->time_base;
  os.fifo.reset(av_audio_fifo_alloc(enc->sample_fmt, enc->ch_layout.nb_channels,
                                    enc->frame_size > 0 ? enc->frame_size : 1024));
  if (!os.fifo)
    throw Error(Errc::internal, "av_audio_fifo_alloc failed");
}

// The writing side: filters, encoders and the muxer, on the calling thread.
class Writer {
 public:
  Writer(AVFormatContext* out, std::vector<OutStream>& streams, const PrepareProgress& progress,
         double total_s, Job& job)
      : out_(out),
        streams_(streams),
        progress_(progress),
        total_s_(total_s),
        job_(job),
        start_(Clock::now()) {}

  void handle(Item& item) {
    OutStream& os = streams_[static_cast<size_t>(item.out_index)];
    if (item.packet) {
      write_copied(os, item.packet.get());
    } else if (os.in->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
      filter_video(os, item.frame.get());
    } else {
      resample_audio(os, item.frame.get());
    }
  }

  void finish() {
    for (auto& os : streams_) {
      if (!os.encoder)
        continue;
      if (os.graph) {
        filter_video(os, nullptr);
      } else {
        resample_audio(os, nullptr);
      }
      encode(os, nullptr);
    }
  }

  double done_s() const { return done_s_; }

 private:
  void write_copied(OutStream& os, AVPacket* pkt) {
    if (pkt->pts != AV_NOPTS_VALUE)
      pkt->pts -= os.in_offset;
    if (pkt->dts != AV_NOPTS_VALUE)
      pkt->dts -= os.in_offset;
    av_packet_rescale_ts(pkt, os.in->time_base, os.out->time_base);
    pkt->stream_index = os.out_index;
    pkt->pos = -1;
    mux(os, pkt);
  }

  void filter_video(OutStream& os, AVFrame* frame) {
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
    ensure(avfilter().buffersrc_add_frame_flags(os.src, frame, 0), Errc::media, "video filters");
    for (;;) {
      if (!filtered_)
        filtered_ = detail::ffmpeg::make_frame();
      const int ret = avfilter().buffersink_get_frame(os.sink, filtered_.get());
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

  void resample_audio(OutStream& os, AVFrame* frame) {
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
        converted_ = detail::ffmpeg::make_frame();
      av_frame_unref(converted_.get());
      converted_->format = enc->sample_fmt;
      ensure(av_channel_layout_copy(&converted_->ch_layout, &enc->ch_layout), Errc::internal,
             "channel layout");
      converted_->sample_rate = enc->sample_rate;
      converted_->nb_samples = out_samples;
      ensure(av_frame_get_buffer(converted_.get(), 0), Errc::internal, "audio buffer");
      const int n = swr_convert(
          os.swr.get(), converted_->data, out_samples,
          frame != nullptr ? const_cast<const uint8_t**>(frame->extended_data) : nullptr,
          in_samples);
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
      detail::ffmpeg::Frame chunk = detail::ffmpeg::make_frame();
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

  void encode(OutStream& os, AVFrame* frame) {
    AVCodecContext* enc = os.encoder.get();
    int ret = avcodec_send_frame(enc, frame);
    if (ret == AVERROR_EOF)
      return;  // already flushed
    ensure(ret, Errc::media, std::string("encoding ") + enc->codec->name);
    for (;;) {
      if (!packet_)
        packet_ = detail::ffmpeg::make_packet();
      ret = avcodec_receive_packet(enc, packet_.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return;
      ensure(ret, Errc::media, std::string("encoding ") + enc->codec->name);
      if (packet_->duration == 0 && os.graph)
        packet_->duration = os.frame_duration;
      av_packet_rescale_ts(packet_.get(), enc->time_base, os.out->time_base);
      packet_->stream_index = os.out_index;
      mux(os, packet_.get());
    }
  }

  void mux(OutStream& os, AVPacket* pkt) {
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

  void report() {
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

  AVFormatContext* out_;
  std::vector<OutStream>& streams_;
  const PrepareProgress& progress_;
  double total_s_;
  Job& job_;
  Clock::time_point start_;
  Clock::time_point last_report_{};
  bool reported_ = false;
  double done_s_ = 0;
  detail::ffmpeg::Frame filtered_;
  detail::ffmpeg::Frame converted_;
  detail::ffmpeg::Packet packet_;
};

// The reading side: demux and decode on its own thread, feeding the queue.
void read_and_decode(AVFormatContext* in, std::vector<OutStream>& streams,
                     const std::vector<int>& map, BoundedQueue<Item>& queue, Job& job) {
  detail::ffmpeg::Packet pkt = detail::ffmpeg::make_packet();
  auto push_frames = [&](OutStream& os) {
    for (;;) {
      detail::ffmpeg::Frame frame = detail::ffmpeg::make_frame();
      const int ret = avcodec_receive_frame(os.decoder.get(), frame.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return true;
      // A damaged frame is skipped, as players do; the verification judges the result.
      if (ret < 0)
        continue;
      if (!queue.push(Item{os.out_index, nullptr, std::move(frame)}))
        return false;
    }
  };
  while (!job.stopped()) {
    const int ret = av_read_frame(in, pkt.get());
    if (ret == AVERROR_EOF)
      break;
    if (ret == AVERROR_EXIT)
      throw Error(Errc::cancelled, "preparation cancelled");
    ensure(ret, Errc::unreadable, "reading the input");
    const int idx = pkt->stream_index;
    const int out_index = idx >= 0 && idx < static_cast<int>(map.size()) ? map[idx] : -1;
    if (out_index < 0) {
      av_packet_unref(pkt.get());
      continue;
    }
    OutStream& os = streams[static_cast<size_t>(out_index)];
    if (!os.decoder) {
      detail::ffmpeg::Packet copy = detail::ffmpeg::make_packet();
      av_packet_move_ref(copy.get(), pkt.get());
      if (!queue.push(Item{out_index, std::move(copy), nullptr}))
        return;
      continue;
    }
    const int sent = avcodec_send_packet(os.decoder.get(), pkt.get());
    av_packet_unref(pkt.get());
    if (sent < 0 && sent != AVERROR(EAGAIN) && sent != AVERROR_INVALIDDATA) {
      fail_av(sent, Errc::media, "decoding the input");
    }
    if (!push_frames(os))
      return;
  }
  if (job.stopped())
    return;
  for (auto& os : streams) {
    if (!os.decoder)
      continue;
    avcodec_send_packet(os.decoder.get(), nullptr);
    if (!push_frames(os))
      return;
  }
}

// Joins the reading thread on every exit path, after telling it to stop when needed.
class ReaderThread {
 public:
  ReaderThread(BoundedQueue<Item>& queue, Job& job) : queue_(queue), job_(job) {}
  ~ReaderThread() {
    if (thread_.joinable()) {
      job_.stop = true;
      queue_.close();
      thread_.join();
    }
  }
  template <typename F>
  void start(F&& body) {
    thread_ = std::thread([this, body = std::forward<F>(body)]() mutable {
      try {
        body();
      } catch (...) {
        error_ = std::current_exception();
      }
      queue_.finish();
    });
  }
  // After the queue ran dry: join and rethrow what the reader hit.
  void join() {
    thread_.join();
    if (error_)
      std::rethrow_exception(error_);
  }

 private:
  BoundedQueue<Item>& queue_;
  Job& job_;
  std::thread thread_;
  std::exception_ptr error_;
};

double kept_duration(const AVFormatContext* in, const std::vector<OutStream>& streams) {
  double longest = 0;
  for (const auto& os : streams) {
    if (os.in->duration != AV_NOPTS_VALUE && os.in->duration > 0) {
      longest = std::max(longest, static_cast<double>(os.in->duration) * av_q2d(os.in->time_base));
    }
  }
  if (longest > 0)
    return longest;
  return in->duration != AV_NOPTS_VALUE ? static_cast<double>(in->duration) / AV_TIME_BASE : 0;
}

void require_input(const fs::path& input, const fs::path& output) {
  std::error_code ec;
  if (!fs::exists(input, ec))
    throw Error(Errc::not_found, "no such file: " + input.string());
  if (!fs::is_regular_file(input, ec)) {
    throw Error(Errc::invalid_argument, "not a regular file: " + input.string());
  }
  if (fs::exists(output, ec) && fs::equivalent(input, output, ec)) {
    throw Error(Errc::invalid_argument,
                "the output " + output.string() + " is the input: refusing to overwrite it");
  }
  if (fs::is_directory(output, ec)) {
    throw Error(Errc::invalid_argument, "the output " + output.string() + " is a folder");
  }
}

}  // namespace

PrepareResult prepare(const fs::path& input, const fs::path& output, const Plan& plan,
                      const PrepareOptions& options, const PrepareProgress& progress) {
  return detail::prepare_opened(input, nullptr, output, plan, options, progress);
}

PrepareResult prepare(const CheckResult& checked, const fs::path& output, const Plan& plan,
                      const PrepareOptions& options, const PrepareProgress& progress) {
  return detail::prepare_opened(checked.path, detail::take_input(checked.opened), output, plan,
                                options, progress);
}

PrepareResult detail::prepare_opened(const fs::path& input, detail::ffmpeg::InputFormat opened,
                                     const fs::path& output, const Plan& plan,
                                     const PrepareOptions& options,
                                     const PrepareProgress& progress) {
  const auto started = Clock::now();
  require_input(input, output);
  if (options.cancel.requested())
    throw Error(Errc::cancelled, "preparation cancelled");
  Job job;
  job.cancel = options.cancel;

  // Input, read-only: opened (and its content recognised) the way probe() does.
  detail::ffmpeg::InputFormat in = opened ? std::move(opened) : probe_open(input).input;
  in->interrupt_callback = AVIOInterruptCB{interrupt_cb, &job};
  int ret = 0;

  TempFile temp(output);
  AVFormatContext* raw_out = nullptr;
  ensure(avformat_alloc_output_context2(&raw_out, nullptr, "mp4", temp.path().c_str()),
         Errc::internal, "creating the MP4 muxer");
  detail::ffmpeg::OutputFormat out(raw_out);

  // Output streams: video first, then audio, in the plan's order otherwise.
  std::vector<OutStream> streams;
  std::vector<int> map(in->nb_streams, -1);
  std::vector<const StreamPlan*> kept;
  for (const auto& sp : plan.streams) {
    if (sp.action != StreamAction::drop && sp.type == StreamType::video)
      kept.push_back(&sp);
  }
  for (const auto& sp : plan.streams) {
    if (sp.action != StreamAction::drop && sp.type == StreamType::audio)
      kept.push_back(&sp);
  }
  if (kept.empty())
    throw Error(Errc::invalid_argument, "the plan keeps no stream");
  streams.reserve(kept.size());
  const int64_t start_time = in->start_time != AV_NOPTS_VALUE ? in->start_time : 0;
  for (const StreamPlan* sp : kept) {
    if (sp->input_index < 0 || sp->input_index >= static_cast<int>(in->nb_streams)) {
      throw Error(Errc::invalid_argument, "the plan names stream " +
                                              std::to_string(sp->input_index) + " that " +
                                              input.string() + " does not have");
    }
    OutStream os;
    os.plan = sp;
    os.in = in->streams[sp->input_index];
    os.out = avformat_new_stream(out.get(), nullptr);
    if (os.out == nullptr)
      throw Error(Errc::internal, "avformat_new_stream failed");
    os.out_index = os.out->index;
    os.in_offset = av_rescale_q(start_time, AV_TIME_BASE_Q, os.in->time_base);
    map[static_cast<size_t>(sp->input_index)] = os.out_index;
    if (sp->action == StreamAction::copy) {
      ensure(avcodec_parameters_copy(os.out->codecpar, os.in->codecpar), Errc::media,
             "copying stream parameters");
      os.out->codecpar->codec_tag = 0;
      os.out->time_base = os.in->time_base;
      os.out->sample_aspect_ratio = os.in->sample_aspect_ratio;
      // Side data (the display matrix among it) travels with a copied stream.
      for (int i = 0; i < os.in->nb_side_data; ++i) {
        const AVPacketSideData& sd = os.in->side_data[i];
        uint8_t* dst = av_stream_new_side_data(os.out, sd.type, sd.size);
        if (dst == nullptr)
          throw Error(Errc::internal, "av_stream_new_side_data failed");
        std::memcpy(dst, sd.data, sd.size);
      }
    } else {
      os.decoder = open_decoder(os.in, options.threads);
      if (sp->type == StreamType::video) {
        build_video_graph(os, plan.video);
        open_video_encoder(os, out.get(), plan, options, in.get());
      } else {
        open_audio_encoder(os, out.get(), options);
      }
    }
    if (os.in->disposition & AV_DISPOSITION_DEFAULT)
      os.out->disposition = AV_DISPOSITION_DEFAULT;
    if (const AVDictionaryEntry* lang = av_dict_get(os.in->metadata, "language", nullptr, 0)) {
      av_dict_set(&os.out->metadata, "language", lang->value, 0);
    }
    streams.push_back(std::move(os));
  }

  AVIOInterruptCB int_cb{interrupt_cb, &job};
  ensure(avio_open2(&out->pb, temp.path().c_str(), AVIO_FLAG_WRITE, &int_cb, nullptr), Errc::io,
         "opening " + temp.path().string());
  AVDictionary* mux_opts = nullptr;
  // faststart rewrites the whole file to move the index to the front: worth it for a fresh
  // encode (players can start at once), not for a stream copy, where it would double the
  // writing for nothing MAVI needs (it reads the whole upload either way).
  if (plan.action == Action::transcode)
    av_dict_set(&mux_opts, "movflags", "+faststart", 0);
  ret = avformat_write_header(out.get(), &mux_opts);
  av_dict_free(&mux_opts);
  ensure(ret, Errc::media, "writing the MP4 header to " + temp.path().string());

  const double total_s =
      plan.input_duration ? plan.input_duration->count() : kept_duration(in.get(), streams);
  {
    BoundedQueue<Item> queue(16);
    Writer writer(out.get(), streams, progress, total_s, job);
    ReaderThread reader(queue, job);
    reader.start([&] { read_and_decode(in.get(), streams, map, queue, job); });
    while (auto item = queue.pop()) {
      writer.handle(*item);
    }
    reader.join();
    if (job.stopped())
      throw Error(Errc::cancelled, "preparation cancelled");
    writer.finish();
  }
  ensure(av_write_trailer(out.get()), Errc::io, "finishing " + temp.path().string());
  ensure(avio_closep(&out->pb), Errc::io, "closing " + temp.path().string());
  if (job.stopped())
    throw Error(Errc::cancelled, "preparation cancelled");

  // Verify before the file gets its name.
  PrepareResult result;
  try {
    result.media = probe(temp.path());
  } catch (const Error& e) {
    throw Error(Errc::verification_failed,
                "the prepared file does not probe: " + std::string(e.what()));
  }
  result.verdict = evaluate(result.media, plan.rules);
  if (result.verdict.kind != VerdictKind::ok) {
    std::string why;
    for (const auto& f : result.verdict.findings) {
      if (f.severity == Severity::error)
        why += (why.empty() ? "" : "; ") + f.message;
    }
    throw Error(Errc::verification_failed,
                "the prepared file for " + input.string() + " is not acceptable: " + why);
  }
  const double expected = kept_duration(in.get(), streams);
  const double got = result.media.duration ? result.media.duration->count() : 0;
  if (expected > 0 && std::fabs(got - expected) > std::max(0.5, 0.02 * expected)) {
    throw Error(Errc::verification_failed, "the prepared file for " + input.string() + " lasts " +
                                               std::to_string(got) + " s, the input " +
                                               std::to_string(expected) + " s");
  }
  temp.commit(output, options.replace_output);
  result.output = output;
  result.media.path = output;
  std::error_code ec;
  result.size_bytes = fs::file_size(output, ec);
  result.streams = plan.streams;
  result.elapsed = Clock::now() - started;
  result.speed = result.elapsed.count() > 0 ? total_s / result.elapsed.count() : 0;
  return result;
}

}  // namespace mavi

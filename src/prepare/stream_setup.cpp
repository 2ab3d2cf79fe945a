#include "prepare/stream_setup.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "ffmpeg/av_error.hpp"
#include "mavi/error.hpp"

extern "C" {
#include <libavutil/opt.h>
}

namespace mavi::detail {

namespace {

using ffmpeg::avfilter;
using ffmpeg::ensure;

ffmpeg::CodecContext open_decoder(AVStream* st, int threads) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr) {
    throw Error(Errc::unsupported,
                std::string("no decoder for ") + avcodec_get_name(st->codecpar->codec_id));
  }
  ffmpeg::CodecContext ctx(avcodec_alloc_context3(codec));
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

void open_video_encoder(OutStream& os, AVFormatContext* out_ctx, const Plan& plan,
                        const PrepareOptions& options, AVFormatContext* in_ctx) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (codec == nullptr)
    throw Error(Errc::unsupported, "this FFmpeg has no libx264 encoder");
  os.encoder.reset(avcodec_alloc_context3(codec));
  AVCodecContext* enc = os.encoder.get();
  if (enc == nullptr)
    throw Error(Errc::internal, "avcodec_alloc_context3 failed");
  AVFilterContext* sink = os.filter.sink;
  enc->width = avfilter().buffersink_get_w(sink);
  enc->height = avfilter().buffersink_get_h(sink);
  enc->pix_fmt = static_cast<AVPixelFormat>(avfilter().buffersink_get_format(sink));
  enc->sample_aspect_ratio = avfilter().buffersink_get_sample_aspect_ratio(sink);
  // Timestamps pass through in the stream's own time base: variable frame rates survive.
  enc->time_base = avfilter().buffersink_get_time_base(sink);
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

void copy_parameters(OutStream& os) {
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
}

}  // namespace

OutputStreams setup_streams(AVFormatContext* in, AVFormatContext* out,
                            const std::filesystem::path& input, const Plan& plan,
                            const PrepareOptions& options) {
  OutputStreams result;
  result.map.assign(in->nb_streams, -1);
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
  result.streams.reserve(kept.size());
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
    os.out = avformat_new_stream(out, nullptr);
    if (os.out == nullptr)
      throw Error(Errc::internal, "avformat_new_stream failed");
    os.out_index = os.out->index;
    os.in_offset = av_rescale_q(start_time, AV_TIME_BASE_Q, os.in->time_base);
    if (sp->type == StreamType::video) {
      const AVRational rate = av_guess_frame_rate(in, os.in, nullptr);
      if (rate.num > 0 && rate.den > 0)
        os.nominal_duration = av_rescale_q(1, av_inv_q(rate), os.in->time_base);
    }
    result.map[static_cast<size_t>(sp->input_index)] = os.out_index;
    if (sp->action == StreamAction::copy) {
      copy_parameters(os);
    } else {
      os.decoder = open_decoder(os.in, options.threads);
      if (sp->type == StreamType::video) {
        os.filter = build_video_filter(os.decoder.get(), os.in->time_base, plan.video);
        open_video_encoder(os, out, plan, options, in);
      } else {
        open_audio_encoder(os, out, options);
      }
    }
    if (os.in->disposition & AV_DISPOSITION_DEFAULT)
      os.out->disposition = AV_DISPOSITION_DEFAULT;
    if (const AVDictionaryEntry* lang = av_dict_get(os.in->metadata, "language", nullptr, 0)) {
      av_dict_set(&os.out->metadata, "language", lang->value, 0);
    }
    result.streams.push_back(std::move(os));
  }
  return result;
}

}  // namespace mavi::detail

#include "prepare/filters.hpp"

#include <vector>

#include "ffmpeg/av_error.hpp"
#include "mavi/error.hpp"

namespace mavi::detail {

using ffmpeg::avfilter;
using ffmpeg::ensure;

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

VideoFilter build_video_filter(const AVCodecContext* dec, AVRational tb, const VideoSteps& steps) {
  if (dec->pix_fmt == AV_PIX_FMT_NONE || dec->width <= 0 || dec->height <= 0) {
    throw Error(Errc::unsupported, "the video's size or pixel format is unknown");
  }
  VideoFilter vf;
  vf.graph.reset(avfilter().graph_alloc());
  if (!vf.graph)
    throw Error(Errc::internal, "avfilter_graph_alloc failed");
  AVRational sar = dec->sample_aspect_ratio;
  if (sar.num <= 0 || sar.den <= 0)
    sar = AVRational{1, 1};
  const std::string args =
      "video_size=" + std::to_string(dec->width) + "x" + std::to_string(dec->height) +
      ":pix_fmt=" + std::to_string(dec->pix_fmt) + ":time_base=" + std::to_string(tb.num) + "/" +
      std::to_string(tb.den) + ":pixel_aspect=" + std::to_string(sar.num) + "/" +
      std::to_string(sar.den);
  ensure(avfilter().graph_create_filter(&vf.src, avfilter().get_by_name("buffer"), "in",
                                        args.c_str(), nullptr, vf.graph.get()),
         Errc::media, "video filter source");
  ensure(avfilter().graph_create_filter(&vf.sink, avfilter().get_by_name("buffersink"), "out",
                                        nullptr, nullptr, vf.graph.get()),
         Errc::media, "video filter sink");
  ffmpeg::FilterInOut outputs(avfilter().inout_alloc());
  ffmpeg::FilterInOut inputs(avfilter().inout_alloc());
  if (!outputs || !inputs)
    throw Error(Errc::internal, "avfilter_inout_alloc failed");
  outputs->name = av_strdup("in");
  outputs->filter_ctx = vf.src;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = vf.sink;
  const std::string desc = video_filters(steps);
  AVFilterInOut* in_raw = inputs.release();
  AVFilterInOut* out_raw = outputs.release();
  int ret = avfilter().graph_parse_ptr(vf.graph.get(), desc.c_str(), &in_raw, &out_raw, nullptr);
  inputs.reset(in_raw);
  outputs.reset(out_raw);
  ensure(ret, Errc::media, "video filters \"" + desc + "\"");
  ensure(avfilter().graph_config(vf.graph.get(), nullptr), Errc::media,
         "configuring video filters \"" + desc + "\"");
  return vf;
}

}  // namespace mavi::detail

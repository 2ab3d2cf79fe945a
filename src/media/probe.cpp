// probe(): headers only (bounded by probe size and analyze duration), then an optional deep
// decode. The file is opened read-only.
#include "mavi/probe.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "ffmpeg/av_error.hpp"
#include "ffmpeg/handles.hpp"
#include "mavi/error.hpp"
#include "media/deep_check.hpp"
#include "media/opened_media.hpp"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace mavi {

namespace {

// How much of the head is read to recognise the format from content alone.
constexpr std::size_t kSniffBytes = 1 << 20;

// The size of a regular, readable, non-empty file; anything else throws the fitting kind.
std::uintmax_t input_size(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    const Errc kind = err == ENOENT || err == ENOTDIR ? Errc::not_found
                      : err == EACCES                 ? Errc::permission_denied
                                                      : Errc::io;
    throw Error(kind, "probe " + path.string() + ": " + std::strerror(err), err);
  }
  if (S_ISDIR(st.st_mode)) {
    throw Error(Errc::invalid_argument, "probe " + path.string() + ": is a folder", EISDIR);
  }
  if (!S_ISREG(st.st_mode)) {
    throw Error(Errc::invalid_argument,
                "probe " + path.string() + ": not a regular file (FIFO, socket or device)");
  }
  if (::access(path.c_str(), R_OK) != 0) {
    const int err = errno;
    throw Error(err == EACCES ? Errc::permission_denied : Errc::io,
                "probe " + path.string() + ": " + std::strerror(err), err);
  }
  if (st.st_size == 0)
    throw Error(Errc::empty_file, "probe " + path.string() + ": file is empty");
  return {static_cast<std::uintmax_t>(st.st_size)};
}

// Recognise the container from content alone: a text file named .mp4 must not be taken for
// an MP4 because of its name.
// Returns nullptr when nothing recognises the content.
const AVInputFormat* sniff_format(const unsigned char* head, std::size_t size) {
  // Grow the window as FFmpeg's own av_probe_input_buffer does: most containers are
  // recognised from the first 2 KiB, and some demuxers' probes scan all they are given.
  const std::size_t available = std::min(size, kSniffBytes);
  std::vector<unsigned char> window;
  for (std::size_t length = std::min<std::size_t>(2048, available);;
       length = std::min(length * 2, available)) {
    window.assign(head, head + length);
    window.resize(length + AVPROBE_PADDING_SIZE, 0);
    AVProbeData probe_data{};
    probe_data.filename = "";
    probe_data.buf = window.data();
    probe_data.buf_size = static_cast<int>(length);
    int score = 0;
    const AVInputFormat* format = av_probe_input_format3(&probe_data, 1, &score);
    if (score > AVPROBE_SCORE_RETRY)
      return format;
    if (length == available)
      return score == AVPROBE_SCORE_RETRY ? format : nullptr;
  }
}

const AVInputFormat* sniff_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(Errc::io, "probe " + path.string() + ": cannot open: " + std::strerror(errno),
                errno);
  }
  std::vector<unsigned char> head(kSniffBytes + AVPROBE_PADDING_SIZE, 0);
  in.read(reinterpret_cast<char*>(head.data()), kSniffBytes);
  if (in.bad())
    throw Error(Errc::io, "probe " + path.string() + ": read failed");
  return sniff_format(head.data(), static_cast<std::size_t>(in.gcount()));
}

bool is_still_image_format(const AVInputFormat* format) {
  const std::string_view name = format->name;
  return name == "image2" || (name.size() > 5 && name.substr(name.size() - 5) == "_pipe");
}

Rational to_rational(AVRational r) {
  return {r.num, r.den};
}

std::optional<Seconds> to_seconds(int64_t value, AVRational time_base) {
  if (value == AV_NOPTS_VALUE || value < 0)
    return std::nullopt;
  return Seconds(static_cast<double>(value) * av_q2d(time_base));
}

std::string or_empty(const char* text) {
  return text != nullptr ? text : "";
}

std::string chroma_subsampling(const AVPixFmtDescriptor* desc) {
  if (desc == nullptr)
    return "";
  if (desc->nb_components < 3 || (desc->flags & AV_PIX_FMT_FLAG_RGB)) {
    return desc->nb_components < 3 ? "4:0:0" : "4:4:4";
  }
  const int w = desc->log2_chroma_w, h = desc->log2_chroma_h;
  if (w == 1 && h == 1)
    return "4:2:0";
  if (w == 1 && h == 0)
    return "4:2:2";
  if (w == 0 && h == 0)
    return "4:4:4";
  if (w == 2 && h == 0)
    return "4:1:1";
  if (w == 2 && h == 2)
    return "4:1:0";
  return "";
}

std::string field_order_name(AVFieldOrder order) {
  switch (order) {
    case AV_FIELD_PROGRESSIVE:
      return "progressive";
    case AV_FIELD_TT:
      return "tt";
    case AV_FIELD_BB:
      return "bb";
    case AV_FIELD_TB:
      return "tb";
    case AV_FIELD_BT:
      return "bt";
    default:
      return "";
  }
}

// The display matrix's rotation in degrees, counterclockwise, in (-180, 180] (what ffprobe
// prints as `rotation`); 0 when there is none.
double rotation_of(const AVStream* stream) {
  size_t size = 0;
  const uint8_t* matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (matrix == nullptr || size < 9 * sizeof(int32_t))
    return 0;
  const double degrees = av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
  if (std::isnan(degrees))
    return 0;
  double normalised = std::fmod(std::round(degrees * 100) / 100, 360.0);
  if (normalised <= -180)
    normalised += 360;
  if (normalised > 180)
    normalised -= 360;
  return normalised == 0 ? 0 : normalised;  // no "-0"
}

// r_frame_rate is the rate that represents every timestamp exactly; when it differs from the
// measured average by more than 1%, frames are not evenly spaced.
bool looks_variable(AVRational nominal, AVRational average) {
  if (nominal.num <= 0 || nominal.den <= 0 || average.num <= 0 || average.den <= 0)
    return false;
  const double n = av_q2d(nominal), a = av_q2d(average);
  return std::abs(n - a) / std::max(n, a) > 0.01;
}

VideoInfo video_info(AVFormatContext* format, AVStream* stream) {
  const AVCodecParameters* par = stream->codecpar;
  VideoInfo video;
  video.width = par->width;
  video.height = par->height;
  const AVRational sar = av_guess_sample_aspect_ratio(format, stream, nullptr);
  if (sar.num > 0 && sar.den > 0)
    video.sample_aspect_ratio = to_rational(sar);
  if (par->width > 0 && par->height > 0) {
    const AVRational pixel = sar.num > 0 && sar.den > 0 ? sar : AVRational{1, 1};
    AVRational dar{};
    av_reduce(&dar.num, &dar.den, static_cast<int64_t>(par->width) * pixel.num,
              static_cast<int64_t>(par->height) * pixel.den, 1024 * 1024);
    video.display_aspect_ratio = to_rational(dar);
  }
  const auto pix_fmt = static_cast<AVPixelFormat>(par->format);
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(pix_fmt);
  video.pixel_format = or_empty(av_get_pix_fmt_name(pix_fmt));
  video.bit_depth = desc != nullptr ? desc->comp[0].depth : 0;
  video.chroma_subsampling = chroma_subsampling(desc);
  video.nominal_frame_rate = to_rational(stream->r_frame_rate);
  video.average_frame_rate = to_rational(stream->avg_frame_rate);
  video.variable_frame_rate = looks_variable(stream->r_frame_rate, stream->avg_frame_rate);
  video.rotation_degrees = rotation_of(stream);
  if (par->color_trc != AVCOL_TRC_UNSPECIFIED) {
    video.color_transfer = or_empty(av_color_transfer_name(par->color_trc));
  }
  if (par->color_primaries != AVCOL_PRI_UNSPECIFIED) {
    video.color_primaries = or_empty(av_color_primaries_name(par->color_primaries));
  }
  if (par->color_space != AVCOL_SPC_UNSPECIFIED) {
    video.color_space = or_empty(av_color_space_name(par->color_space));
  }
  video.hdr = par->color_trc == AVCOL_TRC_SMPTE2084      ? HdrKind::pq
              : par->color_trc == AVCOL_TRC_ARIB_STD_B67 ? HdrKind::hlg
                                                         : HdrKind::none;
  video.field_order = field_order_name(par->field_order);
  video.interlaced = par->field_order == AV_FIELD_TT || par->field_order == AV_FIELD_BB ||
                     par->field_order == AV_FIELD_TB || par->field_order == AV_FIELD_BT;
  video.attached_picture = (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
  return video;
}

AudioInfo audio_info(const AVStream* stream) {
  const AVCodecParameters* par = stream->codecpar;
  AudioInfo audio;
  audio.sample_rate = par->sample_rate;
  audio.channels = par->ch_layout.nb_channels;
  char layout[128] = {};
  if (par->ch_layout.nb_channels > 0 &&
      av_channel_layout_describe(&par->ch_layout, layout, sizeof layout) > 0) {
    audio.channel_layout = layout;
  }
  if (const AVDictionaryEntry* tag = av_dict_get(stream->metadata, "language", nullptr, 0)) {
    audio.language = tag->value;
  }
  return audio;
}

StreamType stream_type(AVMediaType type) {
  switch (type) {
    case AVMEDIA_TYPE_VIDEO:
      return StreamType::video;
    case AVMEDIA_TYPE_AUDIO:
      return StreamType::audio;
    case AVMEDIA_TYPE_SUBTITLE:
      return StreamType::subtitle;
    case AVMEDIA_TYPE_DATA:
      return StreamType::data;
    case AVMEDIA_TYPE_ATTACHMENT:
      return StreamType::attachment;
    default:
      return StreamType::unknown;
  }
}

StreamInfo stream_info(AVFormatContext* format, AVStream* stream) {
  const AVCodecParameters* par = stream->codecpar;
  StreamInfo info;
  info.index = stream->index;
  info.type = stream_type(par->codec_type);
  info.codec = avcodec_get_name(par->codec_id);
  info.profile = or_empty(avcodec_profile_name(par->codec_id, par->profile));
  info.level = par->level > 0 ? par->level : 0;
  info.bit_rate = par->bit_rate;
  info.duration = to_seconds(stream->duration, stream->time_base);
  info.is_default = (stream->disposition & AV_DISPOSITION_DEFAULT) != 0;
  if (info.type == StreamType::video)
    info.video = video_info(format, stream);
  if (info.type == StreamType::audio)
    info.audio = audio_info(stream);
  return info;
}

// A read-only view of bytes that FFmpeg reads through an AVIOContext.
struct MemoryReader {
  const unsigned char* data;
  std::size_t size;
  std::size_t position = 0;

  static int read(void* opaque, uint8_t* buffer, int capacity) {
    auto* self = static_cast<MemoryReader*>(opaque);
    const std::size_t left = self->size - self->position;
    if (left == 0)
      return AVERROR_EOF;
    const std::size_t n = std::min(left, static_cast<std::size_t>(capacity));
    std::memcpy(buffer, self->data + self->position, n);
    self->position += n;
    return static_cast<int>(n);
  }

  static int64_t seek(void* opaque, int64_t offset, int whence) {
    auto* self = static_cast<MemoryReader*>(opaque);
    const auto size = static_cast<int64_t>(self->size);
    int64_t target = 0;
    switch (whence & ~AVSEEK_FORCE) {
      case AVSEEK_SIZE:
        return size;
      case SEEK_SET:
        target = offset;
        break;
      case SEEK_CUR:
        target = static_cast<int64_t>(self->position) + offset;
        break;
      case SEEK_END:
        target = size + offset;
        break;
      default:
        return AVERROR(EINVAL);
    }
    if (target < 0 || target > size)
      return AVERROR(EINVAL);
    self->position = static_cast<std::size_t>(target);
    return target;
  }
};

struct IoContextDeleter {
  void operator()(AVIOContext* io) const noexcept {
    if (io != nullptr)
      av_freep(&io->buffer);
    avio_context_free(&io);
  }
};
using IoContext = std::unique_ptr<AVIOContext, IoContextDeleter>;

// Demuxers that open other files or network streams named inside the input (playlists,
// session descriptions): a hostile "video" could make probing read devices, FIFOs or the
// network, so they are refused outright.
bool opens_other_inputs(const AVInputFormat* format) {
  const std::string_view name = format->name;
  for (const std::string_view refused : {"hls", "concat", "dash", "sdp", "rtsp", "sap", "imf"}) {
    if (name == refused)
      return true;
  }
  return false;
}

void refuse_non_video_formats(const AVInputFormat* input_format, const std::string& name) {
  if (input_format == nullptr) {
    throw Error(Errc::not_media,
                "probe " + name + ": not a media file (no demuxer recognises its content)");
  }
  if (opens_other_inputs(input_format)) {
    throw Error(Errc::not_media, "probe " + name + ": a playlist or stream description (" +
                                     or_empty(input_format->long_name) +
                                     ") that refers to other inputs, not a video");
  }
  if (is_still_image_format(input_format)) {
    throw Error(Errc::not_media, "probe " + name + ": a still image (" +
                                     or_empty(input_format->long_name) + "), not a video");
  }
}

// avformat_find_stream_info decodes video only to learn what a key frame tells (pixel format,
// size, colour, field order), yet it decodes the first 7 frames of an H.264 stream without
// B-frames to guess a reordering delay: at camera bit rates, 1080p frames cost ~20 ms each, most
// of a probe's time. So the first analysis decodes key frames only (and skips the deblocking
// filter, whose pixels nobody looks at). open_input() analyses the file again in full when that
// was not enough: a video stream left without size or pixel format (no key frame within the
// probe size), or an H.264 stream whose reordering depth may be a guess (see
// needs_full_analysis()).
class KeyFramesOnly {
 public:
  explicit KeyFramesOnly(const AVFormatContext& format) : options_(format.nb_streams, nullptr) {
    for (unsigned i = 0; i < format.nb_streams; ++i) {
      if (format.streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
        av_dict_set(&options_[i], "skip_frame", "nokey", 0);
        av_dict_set(&options_[i], "skip_loop_filter", "all", 0);
      }
    }
  }
  ~KeyFramesOnly() {
    for (AVDictionary*& d : options_)
      av_dict_free(&d);
  }
  KeyFramesOnly(const KeyFramesOnly&) = delete;
  KeyFramesOnly& operator=(const KeyFramesOnly&) = delete;
  AVDictionary** get() { return options_.empty() ? nullptr : options_.data(); }

 private:
  std::vector<AVDictionary*> options_;
};

// Demuxers whose decode times come from the container (or never depend on the reordering depth):
// for them the two analyses were checked to give the same timestamps.
bool container_gives_decode_times(const AVInputFormat& format) {
  static const std::set<std::string> names = {
      "mov,mp4,m4a,3gp,3g2,mj2", "mpegts", "mpeg", "avi", "flv", "asf", "h264"};
  return names.count(format.name) != 0;
}

// Whether the H.264 reordering depth, and what the demuxer derived from it, may differ from what
// FFmpeg's full analysis gives. H.264 states the depth only in an optional SPS field
// (bitstream_restriction); without it, FFmpeg learns the depth by decoding frames that are not
// key frames. After a key-frames-only analysis:
// - a depth of 1 may be the parser's guess (1 once it has seen a B-frame) where the real one is
//   2 or more; demuxers derive missing decode times from it, and decoders size their reorder
//   buffer with it;
// - a depth of 0 is right, but FFmpeg holds it for settled only after 7 decoded frames: until
//   then demuxers without decode times (Matroska, NUT) give the packets none, and the stream
//   ends up without a start time (a remux would then shift it against the audio).
// 2 or more came from the SPS, as with the full analysis.
bool reordering_may_be_a_guess(const AVFormatContext& format, const AVStream& stream) {
  if (stream.codecpar->codec_id != AV_CODEC_ID_H264)
    return false;
  const int depth = stream.codecpar->video_delay;
  return depth == 1 || (depth == 0 && !container_gives_decode_times(*format.iformat));
}

bool lacks_video_parameters(const AVStream& stream) {
  // Without a decoder no analysis can learn more.
  return (stream.codecpar->width <= 0 || stream.codecpar->format < 0) &&
         avcodec_find_decoder(stream.codecpar->codec_id) != nullptr;
}

bool needs_full_analysis(const AVFormatContext& format) {
  for (unsigned i = 0; i < format.nb_streams; ++i) {
    const AVStream& st = *format.streams[i];
    if (st.codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        !(st.disposition & AV_DISPOSITION_ATTACHED_PIC) &&
        (lacks_video_parameters(st) || reordering_may_be_a_guess(format, st))) {
      return true;
    }
  }
  return false;
}

enum class Analysis { key_frames_only, full };

// Opens `url` (or reads through `io`) and reads the stream parameters; `name` is what messages
// show.
// Local files read through "file" only, whatever a name or a demuxer asks for ("pipe:",
// "http:", ...); a remote source (is_remote_source) through HTTP(S) only.
constexpr const char* kLocalProtocols = "file";
constexpr const char* kRemoteProtocols = "http,https,tls,tcp";
// A remote source that stops sending for this long is unreadable, not a hang.
constexpr const char* kRemoteTimeoutMicroseconds = "30000000";

detail::ffmpeg::InputFormat open_and_analyse(const std::string& name, const std::string& url,
                                             const AVInputFormat* input_format, AVIOContext* io,
                                             const ProbeOptions& options, Analysis analysis,
                                             bool remote) {
  detail::ffmpeg::InputFormat format(avformat_alloc_context());
  if (!format)
    throw Error(Errc::internal, "avformat_alloc_context: out of memory");
  format->probesize = options.probe_size_bytes;
  format->max_analyze_duration = options.analyze_duration.count();
  if (io != nullptr) {
    format->pb = io;
    format->flags |= AVFMT_FLAG_CUSTOM_IO;
  }
  if (av_opt_set(format.get(), "protocol_whitelist", remote ? kRemoteProtocols : kLocalProtocols,
                 0) < 0)
    throw Error(Errc::internal, "probe " + name + ": cannot restrict protocols");
  AVDictionary* open_options = nullptr;
  if (remote)
    av_dict_set(&open_options, "rw_timeout", kRemoteTimeoutMicroseconds, 0);
  AVFormatContext* raw = format.release();
  // avformat_open_input frees the context itself on failure.
  const int err = avformat_open_input(&raw, url.c_str(), input_format, &open_options);
  av_dict_free(&open_options);
  if (err < 0)
    detail::ffmpeg::throw_error(err, remote ? Errc::network : Errc::unreadable, "open " + name);
  format.reset(raw);
  KeyFramesOnly key_frames_only(*format);
  AVDictionary** decoder_options =
      analysis == Analysis::key_frames_only ? key_frames_only.get() : nullptr;
  if (const int info_err = avformat_find_stream_info(format.get(), decoder_options); info_err < 0) {
    detail::ffmpeg::throw_error(info_err, Errc::unreadable, "read stream parameters of " + name);
  }
  return format;
}

// Opens and analyses, key frames first and in full when that was not enough.
detail::ffmpeg::InputFormat open_input(const std::string& name, const std::string& url,
                                       const AVInputFormat* input_format, AVIOContext* io,
                                       const ProbeOptions& options, bool remote = false) {
  detail::ffmpeg::InputFormat format =
      open_and_analyse(name, url, input_format, io, options, Analysis::key_frames_only, remote);
  if (!needs_full_analysis(*format))
    return format;
  format.reset();
  if (io != nullptr && avio_seek(io, 0, SEEK_SET) < 0)
    throw Error(Errc::unreadable, "probe " + name + ": cannot read it again from the start");
  return open_and_analyse(name, url, input_format, io, options, Analysis::full, remote);
}

// Describes what open_input() found (and decodes everything when options.deep).
MediaInfo describe(AVFormatContext& format, const ProbeOptions& options) {
  MediaInfo info;
  info.format_name = or_empty(format.iformat->name);
  info.format_long_name = or_empty(format.iformat->long_name);
  info.duration = to_seconds(format.duration, AVRational{1, AV_TIME_BASE});
  info.duration_estimated =
      info.duration && format.duration_estimation_method == AVFMT_DURATION_FROM_BITRATE;
  info.bit_rate = format.bit_rate;
  info.streams.reserve(format.nb_streams);
  for (unsigned i = 0; i < format.nb_streams; ++i) {
    info.streams.push_back(stream_info(&format, format.streams[i]));
  }
  if (options.deep)
    info.deep = detail::deep_check(format, options.deep_time_limit, options.cancel);
  return info;
}

}  // namespace

namespace detail {

// A source by URL: FFmpeg reads what it needs over HTTP(S) (range requests where the server
// takes them), recognises the format from content, and the size is what the server says.
OpenedMedia probe_remote(const std::string& url, const ProbeOptions& options) {
  OpenedMedia opened;
  opened.input = open_input(url, url, nullptr, nullptr, options, true);
  refuse_non_video_formats(opened.input->iformat, url);
  opened.info = describe(*opened.input, options);
  opened.info.path = url;
  const int64_t size = opened.input->pb ? avio_size(opened.input->pb) : -1;
  opened.info.size_bytes = size > 0 ? static_cast<std::uintmax_t>(size) : 0;
  if (options.deep)
    opened.input.reset();
  return opened;
}

OpenedMedia probe_open(const std::filesystem::path& path, const ProbeOptions& options) {
  if (is_remote_source(path.string()))
    return probe_remote(path.string(), options);
  const std::uintmax_t size_bytes = input_size(path);
  const std::string name = path.string();
  const AVInputFormat* input_format = sniff_file(path);
  refuse_non_video_formats(input_format, name);
  OpenedMedia opened;
  // "file:" so that a name such as "pipe:0.mp4" or "concat:a|b.mp4" is a file, not a protocol.
  opened.input = open_input(name, "file:" + name, input_format, nullptr, options);
  opened.info = describe(*opened.input, options);
  opened.info.path = path;
  opened.info.size_bytes = size_bytes;
  if (options.deep)
    opened.input.reset();  // decoding moved it past the head: of no use to prepare()
  return opened;
}

}  // namespace detail

bool is_remote_source(std::string_view source) noexcept {
  const auto starts = [&](std::string_view scheme) {
    if (source.size() < scheme.size())
      return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(source[i])) != scheme[i])
        return false;
    }
    return true;
  };
  return starts("http://") || starts("https://");
}

MediaInfo probe(const std::filesystem::path& path, const ProbeOptions& options) {
  return detail::probe_open(path, options).info;
}

MediaInfo probe_memory(std::span<const unsigned char> data, const std::string& name,
                       const ProbeOptions& options) {
  if (data.empty())
    throw Error(Errc::empty_file, "probe " + name + ": no data");
  std::vector<unsigned char> head(std::min(data.size(), kSniffBytes) + AVPROBE_PADDING_SIZE, 0);
  std::memcpy(head.data(), data.data(), head.size() - AVPROBE_PADDING_SIZE);
  const AVInputFormat* input_format = sniff_format(head.data(), head.size() - AVPROBE_PADDING_SIZE);
  refuse_non_video_formats(input_format, name);

  MemoryReader reader{data.data(), data.size()};
  constexpr int kIoBufferSize = 64 * 1024;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
  if (buffer == nullptr)
    throw Error(Errc::internal, "av_malloc: out of memory");
  IoContext io(avio_alloc_context(buffer, kIoBufferSize, 0, &reader, &MemoryReader::read, nullptr,
                                  &MemoryReader::seek));
  if (!io) {
    av_free(buffer);
    throw Error(Errc::internal, "avio_alloc_context: out of memory");
  }
  MediaInfo info = describe(*open_input(name, "", input_format, io.get(), options), options);
  info.path = name;
  info.size_bytes = data.size();
  return info;
}

}  // namespace mavi

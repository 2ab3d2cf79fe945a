#include "mavi/plan.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ffmpeg/avfilter_library.hpp"
#include "mavi/error.hpp"
#include "mavi/prepare.hpp"

namespace mavi {
namespace {

// The rotation the pixels need, as a multiple of 90 degrees; -1 when it is not one.
int quarter_turns(double degrees) {
  double normalized = std::fmod(std::fmod(degrees, 360.0) + 360.0, 360.0);
  for (int d : {0, 90, 180, 270, 360}) {
    if (std::fabs(normalized - d) < 1.0)
      return d % 360;
  }
  return -1;
}

int even_floor(int v) {
  return std::max(2, v - v % 2);
}
int even_round(double v) {
  return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2);
}

bool is_mp4_family(const MediaInfo& info) {
  return info.format_name.find("mp4") != std::string::npos && info.path.extension() == ".mp4";
}

// False too when libavfilter cannot be loaded: the plan then warns, and preparing says why.
bool tone_mapping_available() {
  try {
    const auto& filters = detail::ffmpeg::avfilter();
    return filters.get_by_name("zscale") != nullptr && filters.get_by_name("tonemap") != nullptr;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

const StreamPlan* Plan::video_stream() const noexcept {
  for (const auto& s : streams) {
    if (s.type == StreamType::video && s.action != StreamAction::drop)
      return &s;
  }
  return nullptr;
}

const StreamPlan* Plan::audio_stream() const noexcept {
  for (const auto& s : streams) {
    if (s.type == StreamType::audio && s.action != StreamAction::drop)
      return &s;
  }
  return nullptr;
}

std::string_view to_string(StreamAction action) noexcept {
  switch (action) {
    case StreamAction::copy:
      return "copy";
    case StreamAction::encode:
      return "encode";
    case StreamAction::drop:
      return "drop";
  }
  return "drop";
}

Plan plan(const CheckResult& checked) {
  return plan(checked, PrepareOptions{});
}

Plan plan(const CheckResult& checked, const PrepareOptions& options) {
  const Verdict& verdict = checked.verdict;
  if (verdict.kind == VerdictKind::rejected) {
    std::string why = "the file cannot be prepared";
    for (const auto& f : verdict.findings) {
      if (f.severity == Severity::error) {
        why += ": " + f.message;
        break;
      }
    }
    throw Error(Errc::invalid_argument, why + " (" + checked.path.string() + ")");
  }
  if (!checked.media)
    throw Error(Errc::invalid_argument, "no media to prepare in " + checked.path.string());
  const MediaInfo& info = *checked.media;
  const Rules& rules = checked.rules;
  const StreamInfo* video = info.primary_video();
  if (video == nullptr || !video->video) {
    throw Error(Errc::invalid_argument, "no video stream to prepare in " + info.path.string());
  }
  const StreamInfo* audio = info.primary_audio();
  const VideoInfo& v = *video->video;

  Plan p;
  p.rules = rules;
  p.input_duration = info.duration;

  // Why the video has to be encoded (empty: it can be copied): the first error the rules found
  // that only a re-encode of the video fixes. The size limit is handled below (a bit rate),
  // and an audio codec only needs the audio encoded.
  std::string encode_reason;
  bool explained = false;  // some error says why a transcode is needed
  for (const auto& f : verdict.findings) {
    if (f.severity != Severity::error || f.fix != Action::transcode)
      continue;
    explained = true;
    if (f.code != "file_too_large" && f.code != "audio_codec") {
      encode_reason = f.message;
      break;
    }
  }
  // A verdict a caller made up to force a re-encode carries no finding.
  if (!explained && verdict.action == Action::transcode)
    encode_reason = "the verdict asks for a re-encode";
  // probe() reports the display matrix angle as av_display_rotation_get does (and ffprobe
  // prints): counter-clockwise. The pixels need the opposite, clockwise turn.
  const int rotation = quarter_turns(-v.rotation_degrees);
  const int shown_w = (rotation == 90 || rotation == 270) ? v.height : v.width;
  const int shown_h = (rotation == 90 || rotation == 270) ? v.width : v.height;
  if (encode_reason.empty() && options.max_height && shown_h > *options.max_height) {
    encode_reason = "height " + std::to_string(shown_h) + " is above --max-height " +
                    std::to_string(*options.max_height);
  }

  // Size: a copy is about as large as the input; a file over the limit must be re-encoded
  // at a bit rate that fits.
  const bool too_large = verdict.has("file_too_large");
  if (too_large && encode_reason.empty()) {
    encode_reason = "the file is larger than the size limit";
  }
  const bool encode_video = !encode_reason.empty();

  const bool copy_audio =
      audio != nullptr &&
      std::find(rules.accepted_audio_codecs.begin(), rules.accepted_audio_codecs.end(),
                audio->codec) != rules.accepted_audio_codecs.end();
  const std::int64_t audio_rate =
      audio == nullptr
          ? 0
          : (copy_audio && audio->bit_rate > 0 ? audio->bit_rate : options.audio_bit_rate);
  if (too_large) {
    if (!info.duration || info.duration->count() <= 0) {
      throw Error(Errc::unsupported,
                  "the file is over the size limit and its duration is "
                  "unknown, so no bit rate can be computed: " +
                      info.path.string());
    }
    const double seconds = info.duration->count();
    // Keep 3 % for the container and the encoder's rate control overshoot.
    const double budget_bps = static_cast<double>(rules.max_size_bytes) * 8.0 * 0.97 / seconds;
    const auto video_rate = static_cast<std::int64_t>(budget_bps) - audio_rate;
    if (video_rate < options.min_video_bit_rate) {
      throw Error(Errc::unsupported,
                  "cannot fit " + info.path.string() + " under " +
                      std::to_string(rules.max_size_bytes) + " bytes: it would need " +
                      std::to_string(std::max<std::int64_t>(video_rate, 0) / 1000) +
                      " kb/s of video, below the minimum of " +
                      std::to_string(options.min_video_bit_rate / 1000) + " kb/s");
    }
    p.video_bit_rate = video_rate;
  }

  bool audio_encoded = false;
  for (const auto& s : info.streams) {
    StreamPlan sp;
    sp.input_index = s.index;
    sp.type = s.type;
    sp.input_codec = s.codec;
    if (&s == video) {
      if (encode_video) {
        sp.action = StreamAction::encode;
        sp.output_codec = "h264";
        sp.reason = encode_reason;
        if (p.video_bit_rate) {
          sp.reason +=
              "; " + std::to_string(*p.video_bit_rate / 1000) + " kb/s to fit the size limit";
        }
      } else {
        sp.action = StreamAction::copy;
        sp.output_codec = s.codec;
        sp.reason = s.codec + " is accepted: copied unchanged";
      }
    } else if (&s == audio) {
      if (copy_audio) {
        sp.action = StreamAction::copy;
        sp.output_codec = s.codec;
        sp.reason = s.codec + " plays in MP4: copied unchanged";
      } else {
        sp.action = StreamAction::encode;
        sp.output_codec = "aac";
        const int channels = s.audio ? s.audio->channels : 2;
        sp.reason = s.codec + " is not an accepted audio codec: encoded to AAC-LC " +
                    std::to_string(options.audio_bit_rate / 1000) + " kb/s " +
                    (channels == 1 ? "mono" : "stereo");
        audio_encoded = true;
      }
    } else {
      sp.action = StreamAction::drop;
      switch (s.type) {
        case StreamType::video:
          sp.reason = s.video && s.video->attached_picture ? "cover art is not video"
                                                           : "only one video stream is kept";
          break;
        case StreamType::audio:
          sp.reason = "only the default (or first) audio track is kept";
          break;
        case StreamType::subtitle:
          sp.reason = "subtitles are not uploaded";
          break;
        case StreamType::attachment:
          sp.reason = "attachments are not uploaded";
          break;
        default:
          sp.reason = "data streams are not uploaded";
          break;
      }
    }
    p.streams.push_back(std::move(sp));
  }

  if (encode_video) {
    p.action = Action::transcode;
    VideoSteps& st = p.video;
    if (rotation < 0) {
      p.warnings.push_back("rotation of " + std::to_string(v.rotation_degrees) +
                           " degrees is not a quarter turn: ignored");
    }
    st.rotate_degrees = std::max(rotation, 0);
    st.deinterlace = v.interlaced;
    st.tone_map = v.hdr;
    if (v.hdr != HdrKind::none) {
      st.tone_map_available = tone_mapping_available();
      if (!st.tone_map_available) {
        p.warnings.push_back(
            "HDR is converted to BT.709 without tone mapping (this FFmpeg has "
            "no zscale/tonemap): colours will look flat");
      }
    }
    int w = shown_w;
    int h = shown_h;
    if (options.max_height && h > *options.max_height) {
      w = even_round(static_cast<double>(w) * *options.max_height / h);
      h = even_floor(*options.max_height);
      st.scale = true;
    } else {
      // Only an odd pixel to lose: crop it rather than resample the whole picture.
      w = even_floor(w);
      h = even_floor(h);
      st.crop_to_even = w != shown_w || h != shown_h;
    }
    st.width = w;
    st.height = h;
    st.convert_pixel_format = v.pixel_format != "yuv420p";
    if (v.variable_frame_rate)
      p.warnings.push_back("variable frame rate: timestamps are kept");
  } else {
    p.action = (verdict.action != Action::none || audio_encoded || !is_mp4_family(info))
                   ? Action::remux
                   : Action::none;
    // What the rules warned about stays as it is in a copy.
    if (verdict.has("rotation"))
      p.warnings.push_back("rotation is kept as display metadata (video copied)");
    if (verdict.has("odd_dimensions"))
      p.warnings.push_back("odd dimensions are kept (video copied)");
    if (verdict.has("hdr"))
      p.warnings.push_back("HDR video is copied as it is");
    if (verdict.has("interlaced"))
      p.warnings.push_back("interlaced video is copied as it is");
    if (verdict.has("pixel_format"))
      p.warnings.push_back("pixel format " + v.pixel_format + " is copied as it is");
  }
  if (audio == nullptr)
    p.warnings.push_back("no audio track: nothing will be transcribed");

  // A rough size estimate: copies keep their size; encodes use the target or the input rate.
  if (info.duration) {
    const double seconds = info.duration->count();
    double bits = 0;
    if (encode_video) {
      bits += p.video_bit_rate ? static_cast<double>(*p.video_bit_rate) * seconds
                               : std::min<double>(static_cast<double>(info.size_bytes) * 8.0,
                                                  8'000'000.0 * seconds);
    } else {
      bits += video->bit_rate > 0 ? static_cast<double>(video->bit_rate) * seconds
                                  : static_cast<double>(info.size_bytes) * 8.0;
    }
    bits += static_cast<double>(audio_rate) * seconds;
    p.estimated_size_bytes = static_cast<std::uintmax_t>(bits / 8.0);
  } else {
    p.estimated_size_bytes = info.size_bytes;
  }
  return p;
}

std::string describe(const Plan& plan) {
  std::ostringstream out;
  out << "action: " << to_string(plan.action) << "\n";
  for (const auto& s : plan.streams) {
    out << "  stream " << s.input_index << " " << to_string(s.type) << " " << s.input_codec << ": "
        << to_string(s.action);
    if (s.action == StreamAction::encode)
      out << " to " << s.output_codec;
    out << " (" << s.reason << ")\n";
  }
  if (plan.action == Action::transcode) {
    const VideoSteps& v = plan.video;
    out << "  video steps:";
    if (v.rotate_degrees)
      out << " rotate " << v.rotate_degrees << ",";
    if (v.deinterlace)
      out << " deinterlace,";
    if (v.tone_map != HdrKind::none) {
      out << (v.tone_map_available ? " tone-map " : " convert ") << to_string(v.tone_map)
          << " to BT.709,";
    }
    if (v.scale)
      out << " scale,";
    if (v.crop_to_even)
      out << " crop to even,";
    if (v.convert_pixel_format)
      out << " convert pixels,";
    out << " " << v.width << "x" << v.height << " " << v.pixel_format;
    if (plan.video_bit_rate)
      out << " at " << *plan.video_bit_rate / 1000 << " kb/s";
    out << "\n";
  }
  for (const auto& w : plan.warnings)
    out << "  warning: " << w << "\n";
  return out.str();
}

}  // namespace mavi

#include "prepare/verify.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "ffmpeg/handles.hpp"
#include "mavi/error.hpp"
#include "mavi/probe.hpp"

namespace mavi::detail {

namespace {

// The output's timeline as its packets state it (no decoding: the muxer wrote what it got).
struct Timeline {
  std::vector<int64_t> video_pts;  // in the video's time base, decode order
  std::vector<int64_t> video_dts;
  double video_tb = 0;
  double video_end_s = 0;  // max(pts + duration)
  double audio_end_s = 0;
  bool has_video = false;
  bool has_audio = false;
  bool untimed_video = false;  // a video packet without a presentation time
};

Timeline read_timeline(const std::filesystem::path& path) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0)
    throw Error(Errc::verification_failed, "the prepared file does not open");
  ffmpeg::InputFormat in(raw);
  Timeline t;
  int video = -1;
  int audio = -1;
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVMediaType type = in->streams[i]->codecpar->codec_type;
    if (type == AVMEDIA_TYPE_VIDEO && video < 0 &&
        !(in->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      video = static_cast<int>(i);
    } else if (type == AVMEDIA_TYPE_AUDIO && audio < 0) {
      audio = static_cast<int>(i);
    }
  }
  t.has_video = video >= 0;
  t.has_audio = audio >= 0;
  if (video >= 0)
    t.video_tb = av_q2d(in->streams[video]->time_base);
  ffmpeg::Packet pkt = ffmpeg::make_packet();
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    const int idx = pkt->stream_index;
    if ((idx == video || idx == audio) && pkt->pts != AV_NOPTS_VALUE) {
      const double end = static_cast<double>(pkt->pts + std::max<int64_t>(0, pkt->duration)) *
                         av_q2d(in->streams[idx]->time_base);
      double& slot = idx == video ? t.video_end_s : t.audio_end_s;
      slot = std::max(slot, end);
    }
    if (idx == video) {
      if (pkt->pts == AV_NOPTS_VALUE)
        t.untimed_video = true;
      t.video_pts.push_back(pkt->pts);
      t.video_dts.push_back(pkt->dts);
    }
    av_packet_unref(pkt.get());
  }
  return t;
}

std::string seconds(double s) {
  return std::to_string(s) + " s";
}

// The first thing wrong with the output's video timeline, or "".
std::string video_timeline_fault(const Timeline& t, const Expected& e) {
  if (t.untimed_video)
    return "a video frame has no presentation time";
  for (size_t i = 1; i < t.video_dts.size(); ++i) {
    if (t.video_dts[i] != AV_NOPTS_VALUE && t.video_dts[i - 1] != AV_NOPTS_VALUE &&
        t.video_dts[i] <= t.video_dts[i - 1]) {
      return "video decode times do not increase at frame " + std::to_string(i);
    }
  }
  std::vector<int64_t> pts = t.video_pts;
  std::sort(pts.begin(), pts.end());
  const double min_gap_s = e.frame_s / 4;
  for (size_t i = 1; i < pts.size(); ++i) {
    const double gap = static_cast<double>(pts[i] - pts[i - 1]) * t.video_tb;
    if (pts[i] <= pts[i - 1])
      return "two video frames share the time " + seconds(static_cast<double>(pts[i]) * t.video_tb);
    if (gap < min_gap_s) {
      return "two video frames are " + seconds(gap) + " apart at " +
             seconds(static_cast<double>(pts[i]) * t.video_tb) + ", the frame duration is " +
             seconds(e.frame_s);
    }
  }
  if (e.video_frames >= 0 && static_cast<int64_t>(t.video_pts.size()) != e.video_frames) {
    return "the video has " + std::to_string(t.video_pts.size()) + " frames, the input " +
           std::to_string(e.video_frames);
  }
  return "";
}

bool differs(double got, double want, double tolerance) {
  return std::fabs(got - want) > tolerance;
}

}  // namespace

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

Expected expected_from(const AVFormatContext* in, const std::vector<OutStream>& streams) {
  Expected e;
  e.duration_s = kept_duration(in, streams);
  e.duration_estimated = in->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE;
  for (const auto& os : streams) {
    if (os.is_video() && e.video_frames < 0) {
      e.video_frames = os.frames - os.dropped;
      e.video_s = os.end_s;
      e.frame_s = static_cast<double>(os.nominal_duration) * av_q2d(os.in->time_base);
    } else if (!os.is_video() && e.audio_s == 0) {
      e.audio_s = os.end_s;
    }
  }
  return e;
}

Verified verify_output(const std::filesystem::path& prepared, const std::filesystem::path& input,
                       const Rules& rules, const Expected& expected) {
  Verified result;
  try {
    result.media = probe(prepared);
  } catch (const Error& e) {
    throw Error(Errc::verification_failed,
                "the prepared file does not probe: " + std::string(e.what()));
  }
  const std::string what = "the prepared file for " + input.string();
  result.verdict = evaluate(result.media, rules);
  if (result.verdict.kind != VerdictKind::ok) {
    std::string why;
    for (const auto& f : result.verdict.findings) {
      if (f.severity == Severity::error)
        why += (why.empty() ? "" : "; ") + f.message;
    }
    throw Error(Errc::verification_failed, what + " is not acceptable: " + why);
  }
  const Timeline t = read_timeline(prepared);
  if (t.has_video) {
    const std::string fault = video_timeline_fault(t, expected);
    if (!fault.empty())
      throw Error(Errc::verification_failed, what + " is broken: " + fault);
  }
  // An estimated duration is no reference: the decoded one (the last frame's end) is.
  const double decoded_s = std::max(expected.video_s, expected.audio_s);
  const double reference =
      expected.duration_estimated || expected.duration_s <= 0 ? decoded_s : expected.duration_s;
  const double got = result.media.duration ? result.media.duration->count() : 0;
  if (reference > 0 && differs(got, reference, std::max(0.5, 0.02 * reference))) {
    throw Error(Errc::verification_failed,
                what + " lasts " + seconds(got) + ", the input " + seconds(reference) +
                    (expected.duration_estimated ? " (decoded; its header's is an estimate)" : ""));
  }
  auto tolerance = [&](double s) { return std::max({0.1, 2 * expected.frame_s, 0.02 * s}); };
  if (t.has_video && expected.video_s > 0 &&
      differs(t.video_end_s, expected.video_s, tolerance(expected.video_s))) {
    throw Error(Errc::verification_failed, what + ": its video ends at " + seconds(t.video_end_s) +
                                               ", the input's at " + seconds(expected.video_s));
  }
  if (t.has_audio && expected.audio_s > 0 &&
      differs(t.audio_end_s, expected.audio_s, tolerance(expected.audio_s))) {
    throw Error(Errc::verification_failed, what + ": its audio ends at " + seconds(t.audio_end_s) +
                                               ", the input's at " + seconds(expected.audio_s));
  }
  return result;
}

}  // namespace mavi::detail

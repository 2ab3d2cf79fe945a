// evaluate(): MAVI's documented requirements as errors, common trouble as warnings. No I/O.
#include "mavi/rules.hpp"

#include "mavi/probe.hpp"
#include "mavi/upload.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <sstream>

#include "upload/api_generation.hpp"

namespace mavi {

namespace {

// Above this, a stream's dimensions are not believable: decoding it would be absurd.
constexpr int kAbsurdDimension = 16384;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// FFmpeg demuxers have comma-separated name lists ("mov,mp4,m4a,3gp,3g2,mj2").
bool container_accepted(const std::string& format_name, const std::vector<std::string>& accepted) {
  std::stringstream names(format_name);
  std::string name;
  while (std::getline(names, name, ',')) {
    if (contains(accepted, name))
      return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items)
    text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string upper(const std::string& text) {
  std::string out = text;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// How people name FFmpeg's container demuxers: "MKV" rather than "matroska".
std::string container_label(const std::string& demuxer) {
  return demuxer == "matroska" ? "MKV" : demuxer == "webm" ? "WebM" : upper(demuxer);
}

// "MP4, MOV, MKV or AVI".
std::string join_labels(const std::vector<std::string>& items,
                        std::string (*label)(const std::string&)) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i)
    text += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + label(items[i]);
  return text;
}

std::string format_seconds(double seconds) {
  return fmt::format("{:.2f} s", seconds);
}

class FindingList {
 public:
  explicit FindingList(bool strict) : strict_(strict) {}

  void error(std::string code, std::string message, Action fix) {
    findings_.push_back({std::move(code), Severity::error, std::move(message), fix});
  }
  void warning(std::string code, std::string message) {
    findings_.push_back({std::move(code), Severity::warning, std::move(message), Action::none});
  }
  // A warning that preparation can fix: under --strict it becomes a fixable error.
  void fixable_warning(std::string code, std::string message, Action fix) {
    if (strict_)
      error(std::move(code), std::move(message), fix);
    else
      warning(std::move(code), std::move(message));
  }
  std::vector<Finding> take() { return std::move(findings_); }

 private:
  bool strict_;
  std::vector<Finding> findings_;
};

std::optional<double> duration_of(const MediaInfo& info, const StreamInfo& video) {
  if (info.duration)
    return info.duration->count();
  if (video.duration)
    return video.duration->count();
  return std::nullopt;
}

void check_video(const MediaInfo& info, const StreamInfo& stream, const Rules& rules,
                 FindingList& out) {
  const VideoInfo& video = *stream.video;
  if (!contains(rules.accepted_video_codecs, stream.codec)) {
    out.error("video_codec_not_accepted",
              fmt::format("video codec {} is not accepted by MAVI (accepted: {}); re-encode to "
                          "H.264",
                          stream.codec, join(rules.accepted_video_codecs)),
              Action::transcode);
  }
  const bool is_420_8bit = video.chroma_subsampling == "4:2:0" && video.bit_depth == 8;
  if (!is_420_8bit) {
    out.fixable_warning(
        "pixel_format",
        fmt::format(
            "pixel format {} ({} bit, {}) is not 8-bit 4:2:0; many decoders and "
            "analysers expect 8-bit 4:2:0",
            video.pixel_format.empty() ? "unknown" : video.pixel_format, video.bit_depth,
            video.chroma_subsampling.empty() ? "unknown subsampling" : video.chroma_subsampling),
        Action::transcode);
  }
  if (video.width % 2 != 0 || video.height % 2 != 0) {
    out.fixable_warning("odd_dimensions",
                        fmt::format("odd dimensions {}x{}; 4:2:0 encoders need even ones",
                                    video.width, video.height),
                        Action::transcode);
  }
  if (std::max(video.width, video.height) > rules.max_dimension) {
    out.warning("dimensions_large",
                fmt::format("{}x{} is larger than {} pixels on a side; processing may fail or be "
                            "slow",
                            video.width, video.height, rules.max_dimension));
  }
  if (video.rotation_degrees != 0) {
    out.fixable_warning("rotation",
                        fmt::format("rotation metadata ({:g} degrees): players that ignore it show "
                                    "the video sideways",
                                    video.rotation_degrees),
                        Action::transcode);
  }
  if (video.variable_frame_rate) {
    out.warning("variable_frame_rate",
                fmt::format("variable frame rate (nominal {:.3f} fps, average {:.3f} fps); "
                            "timestamps, not frame counts, give the time",
                            video.nominal_frame_rate.value(), video.average_frame_rate.value()));
  }
  const double fps = video.average_frame_rate.valid() ? video.average_frame_rate.value()
                                                      : video.nominal_frame_rate.value();
  if (fps > rules.max_frame_rate) {
    out.warning("frame_rate_high", fmt::format("frame rate {:.1f} fps is above {:.0f} fps", fps,
                                               rules.max_frame_rate));
  }
  if (video.hdr != HdrKind::none) {
    out.fixable_warning(
        "hdr",
        fmt::format("HDR video ({}, {} primaries); shown washed out unless "
                    "tone-mapped to SDR",
                    video.hdr == HdrKind::pq ? "PQ / SMPTE 2084" : "HLG",
                    video.color_primaries.empty() ? "unknown" : video.color_primaries),
        Action::transcode);
  }
  if (video.interlaced) {
    out.fixable_warning("interlaced",
                        fmt::format("interlaced video (field order {}); shows combing unless "
                                    "deinterlaced",
                                    video.field_order),
                        Action::transcode);
  }
  (void)info;
}

void check_container(const MediaInfo& info, const Rules& rules, FindingList& out) {
  if (!container_accepted(info.format_name, rules.accepted_containers)) {
    out.error(
        "container_not_accepted",
        fmt::format("container {} ({}) is not accepted by MAVI (accepted: {}); remux into MP4",
                    info.format_name, info.format_long_name,
                    join_labels(rules.accepted_containers, container_label)),
        Action::remux);
    return;
  }
  // A URL's name ends before its query or fragment ("clip.mp4?token=...").
  std::string name = info.path.string();
  if (is_remote_source(name))
    name = name.substr(0, name.find_first_of("?#"));
  const std::string extension = lower(std::filesystem::path(name).extension().string());
  if (!contains(rules.accepted_extensions, extension)) {
    out.error("extension_not_accepted",
              fmt::format("file extension \"{}\" is not accepted by MAVI (accepted: {}); remux "
                          "into .mp4",
                          extension, join(rules.accepted_extensions)),
              Action::remux);
  }
}

void check_audio(const MediaInfo& info, const Rules& rules, FindingList& out) {
  const StreamInfo* audio = info.primary_audio();
  if (audio == nullptr) {
    if (rules.require_audio) {
      out.error("no_audio_track",
                "no audio track, and the rules require one: there is nothing to transcribe",
                Action::none);
    } else {
      out.warning("no_audio_track",
                  "no audio track: MAVI accepts the video but nothing will be transcribed");
    }
    return;
  }
  if (!contains(rules.accepted_audio_codecs, audio->codec)) {
    out.fixable_warning("audio_codec",
                        fmt::format("audio codec {} is less widely supported than {}; "
                                    "transcription may fail",
                                    audio->codec, join_labels(rules.accepted_audio_codecs, upper)),
                        Action::transcode);
  }
}

void check_duration(const MediaInfo& info, const StreamInfo& video, const Rules& rules,
                    FindingList& out) {
  const auto seconds = duration_of(info, video);
  if (!seconds) {
    out.warning("duration_unknown", "duration unknown: the container does not say how long it is");
  } else if (*seconds < rules.min_duration.count()) {
    out.warning("duration_short", fmt::format("very short ({}, under {})", format_seconds(*seconds),
                                              format_seconds(rules.min_duration.count())));
  } else if (*seconds > rules.max_duration.count()) {
    out.warning("duration_long", fmt::format("very long ({}, over {})", format_seconds(*seconds),
                                             format_seconds(rules.max_duration.count())));
  }
}

void check_deep(const MediaInfo& info, FindingList& out) {
  if (!info.deep)
    return;
  const DeepCheck& deep = *info.deep;
  if (deep.video_frames_decoded == 0 && deep.completed) {
    out.error("undecodable",
              "no video frame could be decoded" +
                  (deep.first_error.empty() ? "" : ": " + deep.first_error),
              Action::none);
    return;
  }
  if (deep.decode_errors > 0) {
    out.fixable_warning(
        "decode_errors",
        fmt::format("{} decoding error(s), first: {}", deep.decode_errors, deep.first_error),
        Action::transcode);
  }
  // Packets that stop well short of the declared duration: the file was cut (or its header
  // lies). Headers of a truncated Matroska or MPEG-TS file still look complete.
  if (deep.completed && deep.read_until && info.duration &&
      deep.read_until->count() < info.duration->count() * 0.9 - 0.05) {
    out.warning("ends_early",
                fmt::format("the media stops at {:.1f} s but the file says it lasts {:.1f} s: "
                            "truncated or a wrong duration in the header",
                            deep.read_until->count(), info.duration->count()));
  }
  if (!deep.completed) {
    out.warning(
        "deep_check_incomplete",
        fmt::format("deep check stopped by its time limit after {:.1f} s", deep.elapsed.count()));
  }
}

Verdict conclude(std::vector<Finding> findings) {
  Verdict verdict;
  verdict.findings = std::move(findings);
  bool rejected = false;
  for (const Finding& f : verdict.findings) {
    if (f.severity != Severity::error)
      continue;
    if (f.fix == Action::none)
      rejected = true;
    verdict.action = std::max(verdict.action, f.fix);
  }
  if (rejected) {
    verdict.kind = VerdictKind::rejected;
    verdict.action = Action::none;
  } else {
    verdict.kind = verdict.action == Action::none ? VerdictKind::ok : VerdictKind::fixable;
  }
  // Errors first, so the first finding is the one that matters most.
  std::stable_sort(verdict.findings.begin(), verdict.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     return a.severity == Severity::error && b.severity != Severity::error;
                   });
  return verdict;
}

}  // namespace

bool Verdict::has(std::string_view code) const noexcept {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

Verdict evaluate(const MediaInfo& info, const Rules& rules) {
  FindingList out(rules.strict);
  const StreamInfo* video = info.primary_video();
  if (video == nullptr) {
    const bool has_cover_art =
        std::any_of(info.streams.begin(), info.streams.end(),
                    [](const StreamInfo& s) { return s.video && s.video->attached_picture; });
    out.error("no_video_stream",
              has_cover_art ? "no video stream: the only picture is cover art (an attached still "
                              "image)"
                            : "no video stream",
              Action::none);
    return conclude(out.take());
  }
  if (video->codec == "none" || video->video->width <= 0 || video->video->height <= 0) {
    out.error("video_unreadable", "the video stream's parameters (codec or size) could not be read",
              Action::none);
    return conclude(out.take());
  }
  if (video->video->width > kAbsurdDimension || video->video->height > kAbsurdDimension) {
    out.error("dimensions_absurd",
              fmt::format("declared size {}x{} is beyond any real video (limit {} per side)",
                          video->video->width, video->video->height, kAbsurdDimension),
              Action::none);
    return conclude(out.take());
  }
  check_deep(info, out);
  check_video(info, *video, rules, out);
  check_container(info, rules, out);
  if (info.size_bytes > rules.max_size_bytes) {
    out.error("file_too_large",
              fmt::format("{} bytes is over the {} byte limit; re-encode to fit", info.size_bytes,
                          rules.max_size_bytes),
              Action::transcode);
  }
  check_audio(info, rules, out);
  check_duration(info, *video, rules, out);
  return conclude(out.take());
}

// Each generation's module says what it takes (src/upload/*_api.cpp): the rules only ask.
void apply_rule_set(Rules& rules, std::string_view generation) {
  const std::optional<ApiGeneration> api = api_generation_from_string(generation);
  if (!api) {
    std::string names;
    for (const ApiGenerationInfo& known : api_generations())
      names += (names.empty() ? "" : ", ") + known.name;
    throw Error(Errc::invalid_argument,
                "no rule set for API generation '" + std::string(generation) + "' (" + names + ")");
  }
  const detail::ApiModule& module = detail::api_module(*api);
  rules.accepted_containers = module.accepted_containers();
  rules.accepted_extensions = module.accepted_extensions();
  rules.rule_set = std::string(module.name());
}

Rules rules_for(std::string_view generation) {
  Rules rules;
  apply_rule_set(rules, generation);
  return rules;
}

Verdict evaluate_failure(const Error& error) {
  std::string code;
  switch (error.kind()) {
    case Errc::empty_file:
      code = "empty_file";
      break;
    case Errc::not_media:
      code = "not_media";
      break;
    case Errc::unreadable:
      code = "unreadable";
      break;
    case Errc::not_found:
      code = "not_found";
      break;
    case Errc::permission_denied:
      code = "permission_denied";
      break;
    case Errc::invalid_argument:
      code = "not_regular_file";
      break;
    default:
      code = "read_error";
      break;
  }
  return conclude({{code, Severity::error, error.what(), Action::none}});
}

std::string_view to_string(Action action) noexcept {
  switch (action) {
    case Action::none:
      return "none";
    case Action::remux:
      return "remux";
    case Action::transcode:
      return "transcode";
  }
  return "none";
}

std::string_view to_string(Severity severity) noexcept {
  return severity == Severity::error ? "error" : "warning";
}

std::string_view to_string(VerdictKind kind) noexcept {
  switch (kind) {
    case VerdictKind::ok:
      return "ok";
    case VerdictKind::fixable:
      return "fixable";
    case VerdictKind::rejected:
      return "rejected";
  }
  return "rejected";
}

std::optional<Action> action_from_string(std::string_view text) noexcept {
  for (const Action a : {Action::none, Action::remux, Action::transcode}) {
    if (to_string(a) == text)
      return a;
  }
  return std::nullopt;
}

std::optional<VerdictKind> verdict_kind_from_string(std::string_view text) noexcept {
  for (const VerdictKind k : {VerdictKind::ok, VerdictKind::fixable, VerdictKind::rejected}) {
    if (to_string(k) == text)
      return k;
  }
  return std::nullopt;
}

}  // namespace mavi

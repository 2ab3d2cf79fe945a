#include "cli/output.hpp"

#include <iostream>

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mavi {

using json = cli::Json;

namespace {

json seconds_or_null(const std::optional<Seconds>& s) {
  return s ? json(s->count()) : json(nullptr);
}

}  // namespace

void to_json(json& j, const VideoInfo& v) {
  const Rational& fps = v.average_frame_rate.valid() ? v.average_frame_rate : v.nominal_frame_rate;
  j = json{
      {"width", v.width},
      {"height", v.height},
      {"sample_aspect_ratio", cli::rational_json(v.sample_aspect_ratio, ':')},
      {"display_aspect_ratio", cli::rational_json(v.display_aspect_ratio, ':')},
      {"pixel_format", v.pixel_format},
      {"bit_depth", v.bit_depth},
      {"chroma_subsampling", v.chroma_subsampling},
      {"nominal_frame_rate", cli::rational_json(v.nominal_frame_rate, '/')},
      {"average_frame_rate", cli::rational_json(v.average_frame_rate, '/')},
      {"frame_rate_fps", fps.valid() ? json(fps.value()) : json(nullptr)},
      {"variable_frame_rate", v.variable_frame_rate},
      {"rotation_degrees", v.rotation_degrees},
      {"color_transfer", v.color_transfer},
      {"color_primaries", v.color_primaries},
      {"color_space", v.color_space},
      {"hdr", to_string(v.hdr)},
      {"field_order", v.field_order},
      {"interlaced", v.interlaced},
      {"attached_picture", v.attached_picture},
  };
}

void to_json(json& j, const AudioInfo& a) {
  j = json{{"sample_rate", a.sample_rate},
           {"channels", a.channels},
           {"channel_layout", a.channel_layout},
           {"language", a.language}};
}

void to_json(json& j, const StreamInfo& s) {
  j = json{{"index", s.index},
           {"type", to_string(s.type)},
           {"codec", s.codec},
           {"profile", s.profile},
           {"level", s.level},
           {"bit_rate", s.bit_rate},
           {"duration_seconds", seconds_or_null(s.duration)},
           {"default", s.is_default}};
  if (s.video)
    j["video"] = *s.video;
  if (s.audio)
    j["audio"] = *s.audio;
}

void to_json(json& j, const DeepCheck& d) {
  j = json{{"completed", d.completed},
           {"packets_read", d.packets_read},
           {"video_frames_decoded", d.video_frames_decoded},
           {"audio_frames_decoded", d.audio_frames_decoded},
           {"decode_errors", d.decode_errors},
           {"first_error", d.first_error},
           {"elapsed_seconds", d.elapsed.count()}};
  j["read_until_seconds"] = d.read_until ? json(d.read_until->count()) : json(nullptr);
}

void to_json(json& j, const MediaInfo& m) {
  j = json{{"size_bytes", m.size_bytes},
           {"format_name", m.format_name},
           {"format_long_name", m.format_long_name},
           {"duration_seconds", seconds_or_null(m.duration)},
           {"bit_rate", m.bit_rate},
           {"streams", m.streams}};
  if (m.deep)
    j["deep"] = *m.deep;
}

void to_json(json& j, const Finding& f) {
  j = json{{"code", f.code},
           {"severity", to_string(f.severity)},
           {"message", f.message},
           {"fix", to_string(f.fix)}};
}

void to_json(json& j, const Rules& r) {
  j = json{{"accepted_video_codecs", r.accepted_video_codecs},
           {"accepted_containers", r.accepted_containers},
           {"accepted_extensions", r.accepted_extensions},
           {"max_size_bytes", r.max_size_bytes},
           {"require_audio", r.require_audio},
           {"strict", r.strict},
           {"min_duration_seconds", r.min_duration.count()},
           {"max_duration_seconds", r.max_duration.count()},
           {"max_dimension", r.max_dimension},
           {"max_frame_rate", r.max_frame_rate}};
}

void to_json(json& j, const DiscoverNote& n) {
  j = json{{"path", n.path.string()}, {"reason", n.reason}, {"error", n.is_error}};
}

void to_json(json& j, const CheckResult& r) {
  j = json{{"path", r.path.string()},
           {"verdict", to_string(r.verdict.kind)},
           {"action", to_string(r.verdict.action)},
           {"findings", r.verdict.findings}};
  if (r.media)
    j["media"] = *r.media;
  j["elapsed_seconds"] = r.elapsed.count();
}

}  // namespace mavi

namespace mavi::cli {

using json = Json;

std::string dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string dump_line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json rational_json(const Rational& r, char separator) {
  if (!r.valid())
    return nullptr;
  return std::to_string(r.num) + separator + std::to_string(r.den);
}

void Counts::add(VerdictKind kind) noexcept {
  switch (kind) {
    case VerdictKind::ok:
      ++ok;
      break;
    case VerdictKind::fixable:
      ++fixable;
      break;
    case VerdictKind::rejected:
      ++rejected;
      break;
  }
}

VerdictKind Counts::worst() const noexcept {
  if (rejected > 0 || unusable_paths > 0)
    return VerdictKind::rejected;
  if (fixable > 0)
    return VerdictKind::fixable;
  return VerdictKind::ok;
}

bool color_enabled(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0')
    return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0)
    return false;
  return ::isatty(fd) == 1;
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      c = '?';
  }
  return out;
}

const Finding* main_finding(const Verdict& verdict) {
  const Finding* first_error = nullptr;
  for (const auto& f : verdict.findings) {
    if (f.severity != Severity::error)
      continue;
    if (verdict.kind == VerdictKind::rejected && f.fix == Action::none)
      return &f;
    if (first_error == nullptr)
      first_error = &f;
  }
  if (first_error != nullptr)
    return first_error;
  return verdict.findings.empty() ? nullptr : &verdict.findings.front();
}

namespace {

std::string_view color_of(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::ok:
      return "\033[32m";  // green
    case VerdictKind::fixable:
      return "\033[33m";  // yellow
    case VerdictKind::rejected:
      return "\033[31m";  // red
  }
  return "";
}

constexpr std::string_view kReset = "\033[0m";

}  // namespace

std::string human_line(const CheckResult& result, bool color) {
  std::string verdict(to_string(result.verdict.kind));
  const std::size_t pad = verdict.size() < 10 ? 10 - verdict.size() : 1;
  std::string line;
  if (color) {
    line += color_of(result.verdict.kind);
    line += verdict;
    line += kReset;
  } else {
    line += verdict;
  }
  line.append(pad, ' ');
  line += printable(result.path.string());

  const Finding* main = main_finding(result.verdict);
  if (main == nullptr)
    return line;
  line += "  ";
  if (main->severity == Severity::warning) {
    line += "warning: ";
  } else if (result.verdict.kind == VerdictKind::fixable && main->fix != Action::none) {
    line += std::string(to_string(main->fix)) + ": ";
  }
  line += printable(main->message);
  const std::size_t more = result.verdict.findings.size() - 1;
  if (more > 0)
    line += " (+" + std::to_string(more) + " more)";
  return line;
}

std::string human_details(const CheckResult& result, bool color) {
  std::string text;
  for (const auto& f : result.verdict.findings) {
    std::string severity(to_string(f.severity));
    severity.resize(8, ' ');
    text += "    ";
    if (color) {
      text += (f.severity == Severity::error ? "\033[31m" : "\033[33m") + severity;
      text += kReset;
    } else {
      text += severity;
    }
    text += f.code + ": " + printable(f.message);
    if (f.fix != Action::none)
      text += " [fix: " + std::string(to_string(f.fix)) + "]";
    text += "\n";
  }
  return text;
}

std::string summary_line(const Counts& counts) {
  const std::size_t n = counts.files();
  std::string line = std::to_string(n) + (n == 1 ? " file: " : " files: ") +
                     std::to_string(counts.ok) + " ok, " + std::to_string(counts.fixable) +
                     " fixable, " + std::to_string(counts.rejected) + " rejected";
  if (counts.unusable_paths > 0) {
    line += "; " + std::to_string(counts.unusable_paths) +
            (counts.unusable_paths == 1 ? " path" : " paths") + " could not be examined";
  }
  return line;
}

bool flush_results(std::string_view program) {
  std::cout.flush();
  if (std::cout)
    return true;
  std::cerr << program << ": cannot write the results to stdout\n";
  return false;
}

}  // namespace mavi::cli

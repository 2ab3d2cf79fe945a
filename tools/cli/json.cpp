#include "cli/json.hpp"

#include "mavi/upload.hpp"

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
           {"duration_estimated", m.duration_estimated},
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
  j = json{{"rule_set", r.rule_set},
           {"accepted_video_codecs", r.accepted_video_codecs},
           {"accepted_audio_codecs", r.accepted_audio_codecs},
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

long long epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

json rational_json(const Rational& r, char separator) {
  if (!r.valid())
    return nullptr;
  return std::to_string(r.num) + separator + std::to_string(r.den);
}

}  // namespace mavi::cli

namespace mavi {

using json = cli::Json;

void to_json(json& j, const VideoRecord& v) {
  j = json{{"videoNo", v.video_no},
           {"videoName", v.video_name},
           {"videoStatus", v.video_status},
           {"uploadTime", v.upload_time},
           {"duration", v.duration}};
  if (!v.size.empty())
    j["size"] = v.size;
  j["processing"] = std::string(to_string(processing_state(v.video_status)));
  if (!v.cause.empty())
    j["cause"] = v.cause;
}

void to_json(json& j, const UploadResult& r) {
  j = r.video;
  j["http_status"] = r.http_status;
  j["code"] = r.code;
  j["attempts"] = r.attempts;
  j["elapsed_seconds"] = static_cast<double>(r.elapsed.count()) / 1000.0;
  j["bytes_sent"] = r.bytes_sent;
  j["recovered_by_lookup"] = r.recovered_by_lookup;
  if (r.by_url)
    j["by_url"] = true;
}

void to_json(json& j, const Plan& plan) {
  j = json::object();
  j["action"] = std::string(to_string(plan.action));
  json streams = json::array();
  for (const auto& s : plan.streams) {
    streams.push_back({{"index", s.input_index},
                       {"type", std::string(to_string(s.type))},
                       {"codec", s.input_codec},
                       {"do", std::string(to_string(s.action))},
                       {"output_codec", s.output_codec},
                       {"reason", s.reason}});
  }
  j["streams"] = streams;
  if (plan.action == Action::transcode) {
    const VideoSteps& v = plan.video;
    j["video"] = {{"rotate_degrees", v.rotate_degrees},
                  {"deinterlace", v.deinterlace},
                  {"tone_map", std::string(to_string(v.tone_map))},
                  {"crop_to_even", v.crop_to_even},
                  {"scale", v.scale},
                  {"width", v.width},
                  {"height", v.height},
                  {"pixel_format", v.pixel_format}};
    j["video_bit_rate"] = plan.video_bit_rate ? json(*plan.video_bit_rate) : json(nullptr);
  }
  j["warnings"] = plan.warnings;
}

}  // namespace mavi

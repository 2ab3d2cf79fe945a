#include "prepare_and_upload/file_report.hpp"

#include <chrono>
#include <cstdio>

#include "prepare_and_upload/upload_options.hpp"

namespace mavi::cli {

using cli::Json;

Json plan_json(const Plan& plan) {
  Json j;
  j["action"] = std::string(to_string(plan.action));
  Json streams = Json::array();
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
    j["video_bit_rate"] = plan.video_bit_rate ? Json(*plan.video_bit_rate) : Json(nullptr);
  }
  j["warnings"] = plan.warnings;
  return j;
}

Json outcome_json(const FileOutcome& r) {
  Json j;
  j["path"] = r.path.string();
  j["fingerprint"] = r.fingerprint.empty() ? Json(nullptr) : Json(r.fingerprint);
  j["verdict"] = r.verdict ? Json(std::string(to_string(r.verdict->kind))) : Json(nullptr);
  j["action"] = std::string(to_string(r.action));
  j["output"] = r.output ? Json(r.output->string()) : Json(nullptr);
  if (!r.output_note.empty())
    j["output_note"] = r.output_note;
  j["status"] = std::string(to_string(r.status));
  j["already_uploaded"] = r.already_uploaded;
  j["duplicate_of"] = r.duplicate_of ? Json(r.duplicate_of->string()) : Json(nullptr);
  j["upload"] = r.upload ? upload_json(*r.upload) : Json(nullptr);
  j["error"] = r.error.empty() ? Json(nullptr) : Json(r.error);
  if (!r.error_kind.empty())
    j["error_kind"] = r.error_kind;
  if (r.verdict)
    j["findings"] = r.verdict->findings;
  if (r.plan)
    j["plan"] = plan_json(*r.plan);
  if (r.prepare_seconds > 0) {
    j["elapsed_seconds"] = r.prepare_seconds;
    j["speed"] = r.prepare_speed;
  }
  return j;
}

std::string outcome_line(const FileOutcome& r) {
  std::string status(to_string(r.status));
  status.resize(std::max<size_t>(status.size(), 9), ' ');
  std::string line = status + " " + cli::printable(r.path.string());
  if (r.output && r.status != FileStatus::ok)
    line += " -> " + cli::printable(r.output->string());
  if (r.output && !r.output_note.empty())
    line += "  (" + cli::printable(r.output_note) + ")";
  char extra[160];
  switch (r.status) {
    case FileStatus::prepared:
      std::snprintf(extra, sizeof extra, "  (%s, %.1f s, %.1fx)",
                    std::string(to_string(r.action)).c_str(), r.prepare_seconds, r.prepare_speed);
      line += extra;
      break;
    case FileStatus::ok:
      line += "  (already accepted)";
      break;
    case FileStatus::copied:
      line += "  (already accepted, copied)";
      break;
    case FileStatus::planned:
      line += "  (" + std::string(to_string(r.action)) + ")";
      break;
    case FileStatus::uploaded: {
      const UploadResult& u = *r.upload;
      std::snprintf(extra, sizeof extra, "  %s  %s  %.1f s", u.video.video_no.c_str(),
                    u.video.video_status.c_str(), static_cast<double>(u.elapsed.count()) / 1000.0);
      line += cli::printable(extra);
      if (r.action == Action::remux)
        line += "  (remuxed)";
      else if (r.action == Action::transcode)
        line += "  (re-encoded)";
      if (u.recovered_by_lookup)
        line += "  (found on MAVI after an interrupted upload)";
      break;
    }
    case FileStatus::skipped:
      if (r.already_uploaded && r.upload) {
        line += ": already uploaded as " + cli::printable(r.upload->video.video_no);
        if (!r.upload->video.video_status.empty())
          line += " (" + cli::printable(r.upload->video.video_status) + ")";
      } else {
        line += ": " + cli::printable(r.error);
      }
      break;
    case FileStatus::failed:
      line += ": " + (r.error_kind.empty() ? std::string() : r.error_kind + ": ") +
              cli::printable(r.error);
      break;
  }
  return line;
}

Json event_json(const BatchEvent& event) {
  const FileOutcome& r = event.file;
  Json j;
  std::string kind(to_string(event.kind));
  // MAVI's verdict: "parsed", or "failed" like any other failure (with video_status FAIL).
  if (event.kind == BatchEventKind::processed && r.upload)
    kind = r.upload->video.video_status == "PARSE" ? "parsed" : "failed";
  j["event"] = kind;
  j["time_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  j["path"] = r.path.string();
  if (!r.fingerprint.empty())
    j["fingerprint"] = r.fingerprint;
  switch (event.kind) {
    case BatchEventKind::checked:
      j["verdict"] = r.verdict ? Json(std::string(to_string(r.verdict->kind))) : Json(nullptr);
      j["action"] = std::string(to_string(r.action));
      if (r.verdict)
        j["findings"] = r.verdict->findings;
      break;
    case BatchEventKind::preparing:
    case BatchEventKind::prepared:
      j["action"] = std::string(to_string(r.action));
      j["output"] = r.output ? Json(r.output->string()) : Json(nullptr);
      if (event.kind == BatchEventKind::prepared) {
        j["elapsed_seconds"] = r.prepare_seconds;
        j["speed"] = r.prepare_speed;
      }
      break;
    case BatchEventKind::uploading:
      break;
    case BatchEventKind::uploaded:
      j["upload"] = r.upload ? upload_json(*r.upload) : Json(nullptr);
      break;
    case BatchEventKind::processed:
      j["upload"] = r.upload ? upload_json(*r.upload) : Json(nullptr);
      j["video_status"] = r.upload ? r.upload->video.video_status : std::string();
      if (kind == "failed") {
        j["error_kind"] = "processing_failed";
        j["error"] = "MAVI could not process the video";
      }
      break;
    case BatchEventKind::skipped:
      j["already_uploaded"] = r.already_uploaded;
      if (r.duplicate_of)
        j["duplicate_of"] = r.duplicate_of->string();
      if (r.already_uploaded && r.upload)
        j["upload"] = upload_json(*r.upload);
      else
        j["reason"] = r.error;
      break;
    case BatchEventKind::failed:
      j["error_kind"] = r.error_kind;
      j["error"] = r.error;
      break;
  }
  return j;
}

}  // namespace mavi::cli

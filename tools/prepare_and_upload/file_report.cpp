#include "prepare_and_upload/file_report.hpp"

#include <chrono>
#include <cstdio>

namespace mavi::cli {

using cli::Json;

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
  j["already_uploaded"] = r.status == FileStatus::uploaded_earlier;
  j["duplicate_of"] = r.duplicate_of ? Json(r.duplicate_of->string()) : Json(nullptr);
  j["upload"] = r.upload ? Json(*r.upload) : Json(nullptr);
  j["error"] = r.error.empty() ? Json(nullptr) : Json(r.error);
  if (r.error_kind)
    j["error_kind"] = std::string(to_string(*r.error_kind));
  if (r.verdict)
    j["findings"] = r.verdict->findings;
  if (r.plan)
    j["plan"] = *r.plan;
  if (r.prepare_seconds > 0) {
    j["elapsed_seconds"] = r.prepare_seconds;
    j["speed"] = r.prepare_speed;
  }
  return j;
}

std::string outcome_line(const FileOutcome& r, RunMode mode) {
  // People read "skipped" for a file left alone on purpose; JSON has the exact status.
  const bool left_alone =
      r.status == FileStatus::uploaded_earlier || r.status == FileStatus::duplicate;
  std::string status(left_alone ? "skipped" : to_string(r.status));
  status.resize(std::max<size_t>(status.size(), 9), ' ');
  std::string line = status + " " + printable(r.path.string());
  if (r.output && r.status != FileStatus::ok)
    line += " -> " + printable(r.output->string());
  if (r.output && !r.output_note.empty())
    line += "  (" + printable(r.output_note) + ")";
  char extra[160];
  switch (r.status) {
    case FileStatus::prepared:
      std::snprintf(extra, sizeof extra, "  (%s, %.1f s, %.1fx)",
                    std::string(to_string(r.action)).c_str(), r.prepare_seconds, r.prepare_speed);
      line += extra;
      break;
    case FileStatus::ok:
      line += mode.uploading ? "  (already accepted: uploaded as it is)" : "  (already accepted)";
      break;
    case FileStatus::copied:
      line += "  (already accepted, copied)";
      break;
    case FileStatus::planned:
      line += "  (" + std::string(to_string(r.action)) +
              (r.output ? "" : " into a private temporary folder") +
              (mode.uploading ? ", then uploaded)" : ")");
      break;
    case FileStatus::uploaded: {
      const UploadResult& u = *r.upload;
      std::snprintf(extra, sizeof extra, "  %s  %s  %.1f s", u.video.video_no.c_str(),
                    u.video.video_status.c_str(), static_cast<double>(u.elapsed.count()) / 1000.0);
      line += printable(extra);
      if (r.action == Action::remux)
        line += "  (remuxed)";
      else if (r.action == Action::transcode)
        line += "  (re-encoded)";
      if (u.recovered_by_lookup)
        line += "  (found on MAVI after an interrupted upload)";
      break;
    }
    case FileStatus::uploaded_earlier:
      if (r.upload) {
        line += ": already uploaded as " + printable(r.upload->video.video_no);
        if (!r.upload->video.video_status.empty())
          line += " (" + printable(r.upload->video.video_status) + ")";
      }
      break;
    case FileStatus::duplicate:
    case FileStatus::rejected:
      line += ": " + printable(r.error);
      break;
    case FileStatus::failed:
    case FileStatus::cancelled:
      line += ": " + (r.error_kind ? std::string(to_string(*r.error_kind)) + ": " : std::string()) +
              printable(r.error);
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
      j["upload"] = r.upload ? Json(*r.upload) : Json(nullptr);
      break;
    case BatchEventKind::processed:
      j["upload"] = r.upload ? Json(*r.upload) : Json(nullptr);
      j["video_status"] = r.upload ? r.upload->video.video_status : std::string();
      if (kind == "failed") {
        j["error_kind"] = "processing_failed";
        j["error"] = "MAVI could not process the video";
      }
      break;
    case BatchEventKind::skipped:
      j["status"] = std::string(to_string(r.status));
      j["already_uploaded"] = r.status == FileStatus::uploaded_earlier;
      if (r.duplicate_of)
        j["duplicate_of"] = r.duplicate_of->string();
      if (r.status == FileStatus::uploaded_earlier && r.upload)
        j["upload"] = Json(*r.upload);
      else
        j["reason"] = r.error;
      break;
    case BatchEventKind::failed:
      j["status"] = std::string(to_string(r.status));
      j["error_kind"] = std::string(to_string(r.error_kind.value_or(Errc::internal)));
      j["error"] = r.error;
      break;
    case BatchEventKind::finished:
    case BatchEventKind::outside_shard:
      j["status"] = std::string(to_string(r.status));
      break;
  }
  return j;
}

}  // namespace mavi::cli

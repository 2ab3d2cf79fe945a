#include "cli/batch_json.hpp"

#include <chrono>

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

Json unusable_path_json(const DiscoverNote& note) {
  return {{"path", note.path.string()}, {"verdict", nullptr}, {"action", "none"},
          {"output", nullptr},          {"status", "failed"}, {"upload", nullptr},
          {"error", note.reason}};
}

Json interrupted_upload_json(const InterruptedUpload& u) {
  return {{"path", u.path.string()},
          {"videoNo", u.video ? Json(u.video->video_no) : Json(nullptr)},
          {"error", u.error.empty() ? Json(nullptr) : Json(u.error)}};
}

std::string processing_failure_text(const VideoRecord& video) {
  std::string text = "MAVI could not process the video (" + video.video_status;
  if (!video.cause.empty())
    text += ": " + video.cause;
  return text + ")";
}

Json event_json(const BatchEvent& event) {
  const FileOutcome& r = event.file;
  Json j;
  std::string kind(to_string(event.kind));
  // MAVI's verdict: "parsed", or "failed" like any other failure (with video_status FAIL,
  // FAILED or PARSE_ERROR, and MAVI's cause when it gave one).
  if (event.kind == BatchEventKind::processed && r.upload)
    kind = processing_state(r.upload->video.video_status) == ProcessingState::ready ? "parsed"
                                                                                    : "failed";
  j["event"] = kind;
  j["time_ms"] = epoch_ms(std::chrono::system_clock::now());
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
        j["error"] = processing_failure_text(r.upload->video);
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

Json outage_json(const Outage& outage, bool ended) {
  return {{"from_ms", epoch_ms(outage.from)},
          {"to_ms", epoch_ms(outage.to)},
          {"seconds",
           std::chrono::duration_cast<std::chrono::milliseconds>(outage.to - outage.from).count() /
               1000.0},
          {"ended", ended},
          {"reason", outage.reason}};
}

Json service_event_json(const ServiceEvent& event) {
  if (event.kind == ServiceEvent::Kind::rate_limited) {
    return {{"event", std::string(to_string(event.kind))},
            {"time_ms", epoch_ms(std::chrono::system_clock::now())},
            {"uploads_per_minute", event.uploads_per_minute},
            {"next_upload_ms", epoch_ms(event.next_upload)},
            {"uploads_left", event.uploads_left},
            {"eta_seconds", event.eta.count()},
            {"rate_limited_answers", event.rate_limited_answers}};
  }
  Json j = {{"event", std::string(to_string(event.kind))},
            {"time_ms", epoch_ms(std::chrono::system_clock::now())},
            {"since_ms", epoch_ms(event.outage.from)},
            {"reason", event.outage.reason}};
  if (event.kind == ServiceEvent::Kind::restored)
    j["seconds"] = outage_json(event.outage, true)["seconds"];
  else
    j["next_probe_ms"] = epoch_ms(event.next_probe);
  return j;
}

}  // namespace mavi::cli

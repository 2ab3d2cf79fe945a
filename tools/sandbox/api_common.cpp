#include "sandbox/api_common.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <thread>

#include "mavi/check.hpp"
#include "sandbox/connection_dropper.hpp"
#include "sandbox/upload_receiver.hpp"

namespace mavi::cli::sandbox {

namespace {

thread_local bool dropped_mark = false;
thread_local bool dropped_connection = false;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The stored file keeps the client's extension (lower-cased) so libmavi's extension rule sees
// what MAVI would see; anything odd becomes no extension at all.
std::string safe_extension(const std::string& filename) {
  const auto dot = filename.find_last_of('.');
  if (dot == std::string::npos || filename.size() - dot > 6)
    return "";
  std::string ext = filename.substr(dot);
  for (std::size_t i = 1; i < ext.size(); ++i) {
    const auto c = static_cast<unsigned char>(ext[i]);
    if (!std::isalnum(c))
      return "";
    ext[i] = static_cast<char>(std::tolower(c));
  }
  return ext.size() > 1 ? ext : "";
}

// What the v1 upload page refuses at upload time: an extension other than .mp4, .avi, .mkv or
// .mov (any case), a file part whose Content-Type does not start with video/, more than the
// size limit. Empty when the upload passes.
std::string v1_upload_problem(const ReceivedUpload& upload, std::uintmax_t max_bytes) {
  const std::string ext = safe_extension(upload.filename);
  if (ext != ".mp4" && ext != ".avi" && ext != ".mkv" && ext != ".mov")
    return "the file extension must be one of .mp4, .avi, .mkv, .mov";
  if (upload.content_type.rfind("video/", 0) != 0)
    return "the Content-Type of the file part must start with video/";
  if (upload.size_bytes > max_bytes)
    return "the file is larger than the upload limit";
  return {};
}

// The name a v1 server gives the video (--rename-videos).
std::string server_side_name(const std::string& how, const ReceivedUpload& upload) {
  if (how == "hash")
    return upload.sha256.substr(0, 32);
  if (how == "stem") {
    const auto dot = upload.filename.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? upload.filename : upload.filename.substr(0, dot);
  }
  return upload.filename;
}

std::string duration_string(double seconds) {
  return std::to_string(std::llround(std::max(0.0, seconds)));
}

nlohmann::ordered_json callback_body(const SandboxState& state, const StoredVideo& video,
                                     VideoStatus status) {
  if (video.api != ApiGeneration::classic) {
    return {{"videoNo", video.video_no}, {"status", std::string(to_string(status))}};
  }
  return {{"videoNo", video.video_no},
          {"clientId", state.config.client_id},
          {"status", std::string(to_string(status))}};
}

}  // namespace

SandboxState::SandboxState(SandboxConfig config_in, std::function<void(const std::string&)> log_in)
    : config(std::move(config_in)),
      log(std::move(log_in)),
      faults(config.faults),
      limiter(config.max_bandwidth_bytes_per_second),
      dispatcher(store, config.callback_delay, log) {}

void reply(const SandboxState& state, httplib::Response& response, ApiGeneration api,
           int http_status, const std::string& code, const std::string& msg,
           const nlohmann::ordered_json& data) {
  if (state.config.latency.count() > 0)
    std::this_thread::sleep_for(state.config.latency);
  nlohmann::ordered_json body{{"code", code}, {"msg", msg}};
  if (!data.is_null())
    body["data"] = data;
  if (api != ApiGeneration::classic) {
    body["success"] = code == "0000";
    body["failed"] = code != "0000";
  }
  response.status = http_status;
  // Filenames and form fields are the client's bytes: invalid UTF-8 is replaced, not thrown.
  response.set_content(body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                       "application/json");
}

bool within_limit(SandboxState& state, httplib::Response& response, ApiGeneration api,
                  Limited kind) {
  const auto wait = state.faults.admit(kind);
  if (!wait)
    return true;
  const FaultOptions& faults = state.config.faults;
  if (faults.retry_after)
    response.set_header("Retry-After", std::to_string(*wait));
  // v2 answers HTTP 400 with these words and no code of its own (the v2 upload page).
  if (api == ApiGeneration::v2) {
    reply(state, response, api, 400, "0400", "Request has exceeded the limit.");
    return false;
  }
  reply(state, response, api, faults.rate_limited_http_status, "0429",
        "Request has exceeded the limit.");
  return false;
}

VideoStatus failure_status(const SandboxConfig& config, ApiGeneration api) {
  if (api == ApiGeneration::v2)
    return VideoStatus::failed;  // v2's upload_status: SUCCESS or FAILED
  if (config.failed_status == "auto")
    return api == ApiGeneration::v1 ? VideoStatus::failed : VideoStatus::parse_error;
  return parse_video_status(config.failed_status).value_or(VideoStatus::fail);
}

bool is_failure(VideoStatus status) {
  return status == VideoStatus::fail || status == VideoStatus::failed ||
         status == VideoStatus::parse_error;
}

bool authorized(const SandboxState& state, const httplib::Request& request,
                httplib::Response& response, ApiGeneration api) {
  if (!state.config.api_key)
    return true;
  const std::string& key = *state.config.api_key;
  const std::string given = request.get_header_value("Authorization");
  if (given == key || given == "Bearer " + key)
    return true;
  reply(state, response, api, 401, "0401",
        given.empty() ? "missing Authorization header" : "invalid API key");
  return false;
}

nlohmann::ordered_json classic_fields(const StoredVideo& video) {
  return {{"videoNo", video.video_no},
          {"videoName", video.video_name},
          {"videoStatus", std::string(to_string(video.status))},
          {"uploadTime", std::to_string(video.upload_time_ms)},
          {"duration", duration_string(video.duration_seconds)}};
}

void handle_upload(SandboxState& state, const httplib::Request& request,
                   httplib::Response& response, const httplib::ContentReader& reader,
                   ApiGeneration api, const StoredVideo* reserved) {
  BandwidthLimiter* limiter = state.limiter.unlimited() ? nullptr : &state.limiter;
  if (reserved) {
    // The storage, not MAVI: it checks the URL's signature, not a key.
  } else if (!authorized(state, request, response, api)) {
    drain_body(request, reader, limiter);
    return;
  }
  if (!reserved && !admitted(state, response, api)) {
    drain_body(request, reader, limiter);
    return;
  }

  const UploadFault fault = state.faults.decide_upload();
  if (fault == UploadFault::fail_500 || fault == UploadFault::fail_503) {
    drain_body(request, reader, limiter);
    reply_server_error(state, response, api, fault);
    return;
  }

  ReceiveOptions options;
  options.store_dir = state.config.store_dir;
  options.limiter = limiter;
  if (fault == UploadFault::drop || fault == UploadFault::stall) {
    // Stop half way through the body (or after 64 KiB when its length is unknown).
    const auto length = request.get_header_value<std::uint64_t>("Content-Length");
    options.stop_after_bytes = length > 1 ? length / 2 : 64 * 1024;
  }
  ReceivedUpload upload = receive_upload(request, reader, options);

  if (fault == UploadFault::drop || fault == UploadFault::stall) {
    if (fault == UploadFault::stall) {
      // Neither read nor answer: the client's stall detection (low-speed limit) must fire.
      const auto until = std::chrono::steady_clock::now() + state.config.stall_duration;
      while (!state.stopping && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    if (!upload.temp_path.empty()) {
      std::error_code ec;
      std::filesystem::remove(upload.temp_path, ec);
    }
    drop_connection(request);
    mark_dropped();
    response.status = 500;  // never sent: the connection is gone
    return;
  }
  if (!upload.complete) {
    // The client went away or sent a malformed body; nothing was kept.
    reply(state, response, api, 400, "0001", "incomplete or malformed request body");
    return;
  }
  if (!upload.multipart) {
    reply(state, response, api, 200, "0001", "multipart/form-data with a part named file required");
    return;
  }
  if (!upload.has_file) {
    reply(state, response, api, 200, "0001", "missing multipart part: file");
    return;
  }
  if (upload.fields_too_large) {
    std::error_code ec;
    std::filesystem::remove(upload.temp_path, ec);
    reply(state, response, api, 200, "0001", "form fields too large");
    return;
  }

  store_upload(state, request, response, api, reserved, upload, fault);
}

bool admitted(SandboxState& state, httplib::Response& response, ApiGeneration api) {
  if (state.faults.refuses_upload()) {
    const std::string& code = state.config.faults.refusal_code;
    reply(state, response, api, code == "0401" ? 401 : 200, code,
          code == "0401"   ? "sandbox: the API key is no longer valid"
          : code == "0402" ? "sandbox: insufficient credits"
                           : "sandbox: the account is disabled");
    return false;
  }
  return within_limit(state, response, api,
                      api == ApiGeneration::v2 ? Limited::v2_upload : Limited::upload);
}

void reply_server_error(SandboxState& state, httplib::Response& response, ApiGeneration api,
                        UploadFault fault) {
  const int status = fault == UploadFault::fail_500 ? 500 : 503;
  reply(state, response, api, status, std::to_string(status).insert(0, "0"),
        "sandbox: injected server error");
}

void store_upload(SandboxState& state, const httplib::Request& request, httplib::Response& response,
                  ApiGeneration api, const StoredVideo* reserved, ReceivedUpload& upload,
                  UploadFault fault, const std::string& source_url) {
  if (api == ApiGeneration::v1 && state.config.validate_uploads) {
    const std::string problem = v1_upload_problem(upload, state.config.max_upload_bytes);
    if (!problem.empty()) {
      std::error_code ec;
      std::filesystem::remove(upload.temp_path, ec);
      reply(state, response, api, 200, "0001", problem);
      return;
    }
  }

  StoredVideo video;
  if (reserved) {
    video = *reserved;  // the asset keeps the name it was reserved under
  } else {
    video.video_no =
        api == ApiGeneration::v2 ? state.store.next_asset_id() : state.store.next_video_no();
    video.video_name = upload.filename;
  }
  if (api == ApiGeneration::v1)
    video.video_name = server_side_name(state.config.rename_videos, upload);
  if (!reserved)
    video.upload_time_ms = now_ms();
  if (api == ApiGeneration::v2)
    video.status = VideoStatus::uploading;
  video.size_bytes = upload.size_bytes;
  video.sha256 = upload.sha256;
  video.api = api;
  video.source_url = source_url;
  video.stored_path = state.config.store_dir / (video.video_no + safe_extension(upload.filename));
  std::error_code ec;
  std::filesystem::rename(upload.temp_path, video.stored_path, ec);
  if (ec) {
    std::filesystem::remove(upload.temp_path, ec);
    reply(state, response, api, 500, "0500", "sandbox: could not store the upload");
    return;
  }

  // MAVI's own processing is stood in for by libmavi's verdict on the stored bytes.
  Rules rules = api == ApiGeneration::v2 ? rules_for("v2") : Rules{};
  rules.require_audio = state.config.require_audio;
  const CheckResult checked = mavi::check(video.stored_path, {}, rules);
  video.accepted = checked.verdict.kind == VerdictKind::ok;
  for (const Finding& finding : checked.verdict.findings) {
    if (!video.accepted && finding.severity == Severity::error && video.cause.empty())
      video.cause = finding.message;
  }
  if (!video.accepted && video.cause.empty())
    video.cause = "the video could not be parsed";
  if (checked.media && checked.media->duration) {
    video.duration_seconds = checked.media->duration->count();
  }

  if (api == ApiGeneration::classic) {
    video.callback_uri = request.get_param_value("callBackUri");
  } else if (api == ApiGeneration::v1) {
    auto field = [&](const char* name) {
      auto it = upload.fields.find(name);
      return it == upload.fields.end() ? std::string() : it->second;
    };
    video.callback_uri = field("callback");
    video.unique_id = field("unique_id").empty() ? "default" : field("unique_id");
    video.tags = upload.tags;
    for (const auto& [name, value] : upload.fields) {
      if (name != "callback" && name != "unique_id" && name != "tags")
        video.fields[name] = value;
    }
  }

  const VideoStatus final_status =
      video.accepted ? (api == ApiGeneration::v2 ? VideoStatus::success : VideoStatus::parse)
                     : failure_status(state.config, api);
  CallbackJob job;
  job.video_no = video.video_no;
  job.final_status = final_status;
  job.callback_uri = video.callback_uri;
  job.body = callback_body(state, video, final_status).dump();
  const nlohmann::ordered_json data = api == ApiGeneration::v2
                                          ? nlohmann::ordered_json{{"asset_id", video.video_no}}
                                          : classic_fields(video);
  if (reserved)
    state.store.replace(video);
  else
    state.store.add(std::move(video));
  state.dispatcher.schedule(std::move(job));

  if (fault == UploadFault::lost_reply) {
    // Registered, but the client never hears of it: what a client's duplicate check is for.
    drop_connection(request);
    mark_dropped();
    response.status = 500;
    return;
  }
  if (reserved) {
    response.status = 200;  // a storage answers a stored object with no MAVI body
    return;
  }
  reply(state, response, api, 200, "0000", "success", data);
}

void mark_dropped() {
  dropped_mark = true;
  dropped_connection = true;
}

bool connection_dropped() {
  return dropped_connection;
}

void begin_request() {
  dropped_connection = false;
}

bool take_dropped_mark() {
  const bool was = dropped_mark;
  dropped_mark = false;
  return was;
}

std::optional<std::vector<std::string>> delete_ids(const std::string& body, std::string& error) {
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array()) {
    error = "the body must be a JSON array of video numbers";
    return std::nullopt;
  }
  std::vector<std::string> ids;
  for (const auto& id : doc) {
    if (!id.is_string() || id.get<std::string>().empty()) {
      error = "every video number is a non-empty string";
      return std::nullopt;
    }
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

}  // namespace mavi::cli::sandbox

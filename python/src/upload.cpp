// Client: uploads and status lookups off the GIL. Upload has no token of its own: its progress
// callback (always installed) stops the transfer when the call's token is requested.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "common.hpp"
#include "mavi/upload.hpp"

namespace mavi::python {

namespace {

namespace fs = std::filesystem;

ApiGeneration api_from(const std::string& name) {
  if (name == "classic")
    return ApiGeneration::classic;
  if (name == "v2")
    return ApiGeneration::v2;
  if (name == "v1")
    return ApiGeneration::v1;
  throw Error(Errc::invalid_argument,
              "Client: api must be 'classic', 'v1' or 'v2', not '" + name + "'");
}

AuthScheme auth_from(const std::string& name) {
  if (name == "raw")
    return AuthScheme::raw;
  if (name == "bearer")
    return AuthScheme::bearer;
  throw Error(Errc::invalid_argument,
              "Client: auth_scheme must be 'raw' or 'bearer', not '" + name + "'");
}

}  // namespace

void bind_upload(py::module_& m) {
  py::class_<VideoRecord>(m, "VideoRecord", "One video as MAVI lists it (every field a string).")
      .def_readonly("video_no", &VideoRecord::video_no, "MAVI's id of the video (videoNo).")
      .def_readonly("video_name", &VideoRecord::video_name, "videoName.")
      .def_readonly("video_status", &VideoRecord::video_status, "UNPARSE, PARSE or FAIL.")
      .def_readonly("upload_time", &VideoRecord::upload_time, "uploadTime, as MAVI gives it.")
      .def_readonly("duration", &VideoRecord::duration, "duration, as MAVI gives it.")
      .def(
          "to_dict", [](const VideoRecord& v) { return to_python(cli::Json(v)); },
          "MAVI's field names: videoNo, videoName, videoStatus, uploadTime, duration.")
      .def("__repr__", [](const VideoRecord& v) {
        return "VideoRecord(" + v.video_no + ", " + v.video_status + ")";
      });

  py::class_<UploadResult>(m, "UploadResult", "MAVI's answer to an upload.")
      .def_readonly("video", &UploadResult::video, "The VideoRecord MAVI returned.")
      .def_property_readonly(
          "video_no", [](const UploadResult& r) { return r.video.video_no; }, "video.video_no.")
      .def_readonly("http_status", &UploadResult::http_status,
                    "Of the answer that succeeded (0 when recovered by a lookup).")
      .def_readonly("code", &UploadResult::code, "MAVI's code ('0000' for success).")
      .def_readonly("msg", &UploadResult::msg, "MAVI's message.")
      .def_readonly("attempts", &UploadResult::attempts, "HTTP attempts made, retries included.")
      .def_readonly("bytes_sent", &UploadResult::bytes_sent, "Body bytes sent by the last attempt.")
      .def_readonly("recovered_by_lookup", &UploadResult::recovered_by_lookup,
                    "The answer was lost and the video was found by listing instead.")
      .def_property_readonly(
          "elapsed_seconds", [](const UploadResult& r) { return r.elapsed.count() / 1000.0; },
          "Wall time of the upload, pacing and retries included.")
      .def(
          "to_dict", [](const UploadResult& r) { return to_python(cli::Json(r)); },
          "The upload as the batch report's 'upload' field.")
      .def("__repr__", [](const UploadResult& r) {
        return "UploadResult(" + r.video.video_no + ", " + r.video.video_status + ")";
      });

  py::class_<Client>(m, "Client", "A MAVI client: streaming uploads with retries and pacing.")
      .def(py::init([](const std::string& api_key, const std::string& base_url,
                       const std::string& api, const std::string& auth_scheme,
                       std::optional<double> uploads_per_minute, int max_attempts,
                       double base_backoff, bool allow_insecure_http, double connect_timeout) {
             ClientConfig config;
             config.api_key = api_key;
             config.base_url = base_url;
             config.api = api_from(api);
             config.auth_scheme = auth_from(auth_scheme);
             config.uploads_per_minute = uploads_per_minute;
             config.retry.max_attempts = max_attempts;
             config.retry.base_backoff =
                 std::chrono::milliseconds(static_cast<std::int64_t>(base_backoff * 1000.0));
             config.allow_insecure_http = allow_insecure_http;
             config.connect_timeout =
                 std::chrono::seconds(static_cast<std::int64_t>(connect_timeout));
             return Client(std::move(config));
           }),
           "A client for `base_url` (https unless allow_insecure_http; empty: the generation's\n"
           "documented host). `api`: 'classic', 'v1' or 'v2'; `uploads_per_minute` is the ceiling\n"
           "of the upload pace (None: MAVI's documented limit, 1 a minute; 0: none);\n"
           "`max_attempts` and `base_backoff` (seconds) drive retries. The key never appears\n"
           "in errors or repr().",
           py::kw_only(), py::arg("api_key"), py::arg("base_url") = std::string(),
           py::arg("api") = "classic", py::arg("auth_scheme") = "raw",
           py::arg("uploads_per_minute") = std::nullopt, py::arg("max_attempts") = 5,
           py::arg("base_backoff") = 1.0, py::arg("allow_insecure_http") = false,
           py::arg("connect_timeout") = 30.0)
      .def_property_readonly(
          "base_url", [](const Client& c) { return c.config().base_url; }, "The server's URL.")
      .def_property_readonly(
          "api", [](const Client& c) { return std::string(to_string(c.config().api)); },
          "'classic', 'v1' or 'v2'.")
      .def(
          "upload",
          [](const Client& client, const fs::path& path, const py::object& progress,
             const std::string& callback_uri, const std::string& filename,
             const std::string& unique_id) {
            UploadOptions options;
            options.callback_uri = callback_uri;
            options.filename = filename;
            options.unique_id = unique_id;
            CancelToken token;
            CallbackErrors errors(token);
            ProgressCallback on_progress = [&](const UploadProgress& p) {
              if (token.requested())
                return false;
              if (progress.is_none())
                return true;
              return call_back(progress, errors, p.bytes_sent, p.total_bytes);
            };
            return run_cancellable(token, errors,
                                   [&] { return client.upload(path, options, on_progress); });
          },
          "Streams one file to MAVI with retries; returns the UploadResult. progress(sent, total)\n"
          "runs with the GIL held; returning False cancels (CancelledError), raising cancels and\n"
          "re-raises. Releases the GIL; Ctrl-C raises KeyboardInterrupt.",
          py::arg("path"), py::arg("progress") = py::none(), py::kw_only(),
          py::arg("callback_uri") = "", py::arg("filename") = "", py::arg("unique_id") = "")
      .def(
          "status",
          [](const Client& client, const std::string& video_no) {
            CancelToken token;
            CallbackErrors errors(token);
            return run_cancellable(token, errors, [&] { return client.status(video_no); });
          },
          "The VideoRecord of `video_no`, or None when MAVI does not know it.", py::arg("video_no"))
      .def("__repr__", [](const Client& c) {
        return "Client(" + c.config().base_url + ", api=" + std::string(to_string(c.config().api)) +
               ")";
      });
}

}  // namespace mavi::python

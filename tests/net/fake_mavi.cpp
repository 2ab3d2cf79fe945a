#include "net/fake_mavi.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace mavi::test {

namespace {

using nlohmann::json;

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void answer(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// Sends the status line and headers, then fails while writing the body: httplib closes the
// connection, so the client sees the answer cut short.
void drop(httplib::Response& res) {
  res.status = 200;
  res.set_content_provider(
      1000, "application/json", [](size_t, size_t, httplib::DataSink&) { return false; }, nullptr);
}

}  // namespace

FakeMavi::FakeMavi() : server_(std::make_unique<httplib::Server>()) {
  auto& server = *server_;

  auto on_upload = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    SeenUpload seen;
    seen.path = req.path;
    seen.authorization = req.get_header_value("Authorization");
    seen.has_callback_query = req.has_param("callBackUri");
    seen.callback_query = req.get_param_value("callBackUri");
    seen.content_type = req.get_header_value("Content-Type");
    seen.arrived = std::chrono::steady_clock::now();
    const Fault fault = next_fault();
    seen.fault = fault;

    std::uint64_t file_bytes = 0;
    bool complete = true;
    if (req.is_multipart_form_data()) {
      complete = reader(
          [&](const httplib::MultipartFormData& header) {
            seen.parts.push_back({header.name, header.filename, header.content_type, {}, 0});
            return true;
          },
          [&](const char* data, size_t length) {
            SeenPart& part = seen.parts.back();
            part.bytes += length;
            if (part.filename.empty() && part.value.size() < 4096)
              part.value.append(data, length);
            if (part.name == "file")
              file_bytes += length;
            return !(fault == Fault::drop_mid_body && file_bytes > 32 * 1024);
          });
    } else {
      complete = reader([&](const char*, size_t) { return true; });
    }
    std::string file_name;
    for (const auto& part : seen.parts) {
      if (part.name == "file")
        file_name = part.filename;
    }
    std::string expected;
    {
      std::lock_guard lock(mutex_);
      uploads_.push_back(seen);
      expected = expected_authorization_;
    }
    const bool v1 = req.path.rfind("/serve/api/v1/", 0) == 0;
    if (!complete || fault == Fault::drop_mid_body)
      return drop(res);
    if (fault == Fault::echo_key_401 || (!expected.empty() && seen.authorization != expected)) {
      return answer(
          res, 401,
          {{"code", "0401"}, {"msg", "invalid key: " + seen.authorization}, {"data", nullptr}});
    }
    switch (fault) {
      case Fault::http500:
        return answer(res, 500, {{"code", "9999"}, {"msg", "internal error"}});
      case Fault::rate_limited:
        res.set_header("Retry-After", "1");
        return answer(res, 200, {{"code", "0429"}, {"msg", "too many requests"}});
      case Fault::limit_400:
        return answer(res, 400, {{"code", "0400"}, {"msg", "Request has exceeded the limit."}});
      case Fault::stall:
        for (auto until = std::chrono::steady_clock::now() + stall_time;
             !stopping_ && std::chrono::steady_clock::now() < until;) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return answer(res, 500, {{"code", "9999"}, {"msg", "too late"}});
      case Fault::malformed:
        res.status = 200;
        res.set_content("<html>Gateway says hi to " + seen.authorization + "</html>", "text/html");
        return;
      default:
        break;
    }
    if (file_name.empty()) {
      return answer(res, 200, {{"code", "0001"}, {"msg", "missing file part"}});
    }
    const std::string video_no = store(file_name, file_bytes);
    if (fault == Fault::store_then_500) {
      return answer(res, 500, {{"code", "9999"}, {"msg", "internal error"}});
    }
    if (fault == Fault::store_then_drop)
      return drop(res);
    json data{{"videoNo", video_no},
              {"videoName", file_name},
              {"videoStatus", "UNPARSE"},
              {"uploadTime", std::to_string(now_ms())},
              {"duration", "1"}};
    json body{{"code", "0000"}, {"msg", "success"}, {"data", data}};
    if (v1)
      body["success"] = true;
    answer(res, 200, body);
  };
  server.Post("/api/serve/video/upload", on_upload);
  server.Post("/serve/api/v1/upload", on_upload);

  server.Get("/api/serve/video/searchDB", [this](const httplib::Request& req,
                                                 httplib::Response& res) {
    ++lookups_;
    const long long start =
        req.has_param("startTime") ? std::stoll(req.get_param_value("startTime")) : 0;
    const long long end =
        req.has_param("endTime") ? std::stoll(req.get_param_value("endTime")) : (1LL << 62);
    const int page = req.has_param("page") ? std::stoi(req.get_param_value("page")) : 1;
    const int size = req.has_param("pageSize") ? std::stoi(req.get_param_value("pageSize")) : 20;
    std::vector<StoredVideo> matching;
    for (const auto& v : stored()) {
      if (v.upload_time_ms >= start && v.upload_time_ms <= end)
        matching.push_back(v);
    }
    json list = json::array();
    for (int i = (page - 1) * size; i < page * size && i < static_cast<int>(matching.size()); ++i) {
      const auto& v = matching[static_cast<std::size_t>(i)];
      list.push_back({{"videoNo", v.video_no},
                      {"videoName", v.video_name},
                      {"videoStatus", "UNPARSE"},
                      {"uploadTime", std::to_string(v.upload_time_ms)},
                      {"duration", "1"}});
    }
    answer(res, 200,
           {{"code", "0000"},
            {"msg", "success"},
            {"data",
             {{"page", page},
              {"current", page},
              {"total", matching.size()},
              {"pageSize", size},
              {"videoData", list}}}});
  });

  server.Post(
      "/serve/api/v1/list_videos", [this](const httplib::Request& req, httplib::Response& res) {
        ++lookups_;
        json query = json::parse(req.body, nullptr, false);
        const std::string name = query.value("video_name", std::string());
        json list = json::array();
        for (const auto& v : stored()) {
          if (!name.empty() && v.video_name != name)
            continue;
          list.push_back({{"video_no", v.video_no},
                          {"video_name", v.video_name},
                          {"status", "UNPARSE"},
                          {"create_time", std::to_string(v.upload_time_ms)},
                          {"duration", "1"}});
        }
        answer(res, 200,
               {{"code", "0000"},
                {"msg", "success"},
                {"success", true},
                {"data", {{"videos", list}, {"current_page", 1}, {"total_count", list.size()}}}});
      });

  server.Get("/serve/api/v1/get_metadata",
             [this](const httplib::Request& req, httplib::Response& res) {
               ++lookups_;
               const std::string video_no = req.get_param_value("video_no");
               for (const auto& v : stored()) {
                 if (v.video_no != video_no)
                   continue;
                 return answer(res, 200,
                               {{"code", "0000"},
                                {"msg", "success"},
                                {"success", true},
                                {"data",
                                 {{"video_no", v.video_no},
                                  {"video_name", v.video_name},
                                  {"status", "PARSE"},
                                  {"create_time", std::to_string(v.upload_time_ms)},
                                  {"duration", "1"}}}});
               }
               answer(res, 200, {{"code", "1404"}, {"msg", "video not found"}, {"data", nullptr}});
             });

  port_ = server.bind_to_any_port("127.0.0.1");
  if (port_ <= 0)
    throw std::runtime_error("FakeMavi: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

FakeMavi::~FakeMavi() {
  stopping_ = true;
  server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string FakeMavi::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeMavi::script(std::vector<Fault> faults) {
  std::lock_guard lock(mutex_);
  faults_.assign(faults.begin(), faults.end());
}

void FakeMavi::set_expected_authorization(std::string value) {
  std::lock_guard lock(mutex_);
  expected_authorization_ = std::move(value);
}

std::vector<SeenUpload> FakeMavi::uploads() const {
  std::lock_guard lock(mutex_);
  return uploads_;
}

std::vector<StoredVideo> FakeMavi::stored() const {
  std::lock_guard lock(mutex_);
  return stored_;
}

Fault FakeMavi::next_fault() {
  std::lock_guard lock(mutex_);
  if (faults_.empty())
    return Fault::none;
  Fault f = faults_.front();
  faults_.pop_front();
  return f;
}

std::string FakeMavi::store(const std::string& name, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  std::string video_no = "VI" + std::to_string(1000 + next_video_++);
  stored_.push_back({video_no, name, now_ms(), size});
  return video_no;
}

}  // namespace mavi::test

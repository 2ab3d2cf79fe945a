// mavi-sandbox over real HTTP on 127.0.0.1: the program is started as a child process and
// spoken to with curl and httplib::Client, as a MAVI client would.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "net/sample_media.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

using mavi::test::RunResult;
using mavi::test::SandboxProcess;
using mavi::test::TempDir;
using nlohmann::json;

namespace {

const std::string kKey = "sk-sandbox-test-7f3a9c";

struct HttpAnswer {
  int status = 0;  // 0: no final HTTP answer (connection failed or dropped)
  int curl_exit = 0;
  json body;
  std::string headers;
};

// Uploads with curl, as a user would: multipart part `file`, key raw in Authorization.
HttpAnswer curl_upload(const SandboxProcess& sandbox, const std::filesystem::path& file,
                       const std::string& target = "/api/serve/video/upload",
                       const std::vector<std::string>& extra = {}, const std::string& key = kKey) {
  std::vector<std::string> argv{"curl", "-sS", "-D", "/dev/stderr",
                                "-o",   "-",   "-w", "\n%{http_code}"};
  if (!key.empty())
    argv.insert(argv.end(), {"-H", "Authorization: " + key});
  if (!file.empty())
    argv.insert(argv.end(), {"-F", "file=@" + file.string()});
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(sandbox.url() + target);
  const RunResult r = mavi::test::run(argv);
  HttpAnswer answer;
  answer.curl_exit = r.exit_code;
  answer.headers = r.err;
  const auto newline = r.out.rfind('\n');
  if (newline != std::string::npos) {
    answer.status = std::atoi(r.out.c_str() + newline + 1);
    // curl reports the last status seen: a lone "100 Continue" is no answer either.
    if (answer.status < 200)
      answer.status = 0;
    answer.body = json::parse(r.out.substr(0, newline), nullptr, false);
  }
  return answer;
}

json get_json(const SandboxProcess& sandbox, const std::string& target,
              const std::string& key = kKey, int* status = nullptr) {
  httplib::Client client(sandbox.url());
  httplib::Headers headers;
  if (!key.empty())
    headers.emplace("Authorization", key);
  auto result = client.Get(target, headers);
  REQUIRE(result);
  if (status)
    *status = result->status;
  return json::parse(result->body, nullptr, false);
}

json post_json(const SandboxProcess& sandbox, const std::string& target, const json& body) {
  httplib::Client client(sandbox.url());
  auto result = client.Post(target, httplib::Headers{{"Authorization", kKey}}, body.dump(),
                            "application/json");
  REQUIRE(result);
  REQUIRE(result->status == 200);
  return json::parse(result->body, nullptr, false);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> sandbox_args(const TempDir& store, std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--store", store.path().string(), "--admin", "--callback-delay",
                                "0.2"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

const std::map<std::string, std::string> kKeyEnv{{"MAVI_SANDBOX_API_KEY", kKey}};

// Polls searchDB until the video leaves UNPARSE (bounded; not a timing assertion).
std::string settled_status(const SandboxProcess& sandbox, const std::string& video_no,
                           const std::string& target = "/api/serve/video/searchDB?pageSize=200") {
  for (int i = 0; i < 600; ++i) {
    const json page = get_json(sandbox, target);
    for (const auto& v : page["data"]["videoData"]) {
      if (v["videoNo"] == video_no && v["videoStatus"] != "UNPARSE") {
        return v["videoStatus"].get<std::string>();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "UNPARSE";
}

std::size_t files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir))
    ++n;
  return n;
}

// An HTTP server in the test that records the callbacks it receives.
class CallbackListener {
 public:
  CallbackListener() {
    server_.Post("/cb", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        bodies_.push_back(request.body);
        content_types_.push_back(request.get_header_value("Content-Type"));
      }
      arrived_.notify_all();
      response.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~CallbackListener() {
    server_.stop();
    thread_.join();
  }
  std::string uri() const { return "http://127.0.0.1:" + std::to_string(port_) + "/cb"; }
  // Waits (bounded) until `count` callbacks arrived and returns all received so far.
  std::vector<std::string> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, std::chrono::seconds(30), [&] { return bodies_.size() >= count; });
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard lock(mutex_);
    return content_types_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> bodies_;
  std::vector<std::string> content_types_;
};

}  // namespace

TEST_CASE("the first stdout line names the URL and the server answers there") {
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store));
  CHECK(std::regex_match(sandbox.first_line(),
                         std::regex(R"(^listening on http://127\.0\.0\.1:[1-9][0-9]*$)")));
  CHECK(sandbox.port() > 0);
  const json page = get_json(sandbox, "/api/serve/video/searchDB");
  CHECK(page["code"] == "0000");
}

TEST_CASE("an upload is stored byte for byte and answered as MAVI does") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store), kKeyEnv);
  const auto before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const HttpAnswer answer = curl_upload(sandbox, media.accepted);
  REQUIRE(answer.status == 200);
  REQUIRE(answer.body["code"] == "0000");
  const json& data = answer.body["data"];
  for (const char* field : {"videoNo", "videoName", "videoStatus", "uploadTime", "duration"}) {
    INFO(field);
    REQUIRE(data[field].is_string());
  }
  CHECK(std::regex_match(data["videoNo"].get<std::string>(), std::regex("VI[0-9]+")));
  CHECK(data["videoName"] == media.accepted.filename().string());
  CHECK(data["videoStatus"] == "UNPARSE");
  CHECK(std::stoll(data["uploadTime"].get<std::string>()) >= before_ms);
  CHECK(data["duration"] == "1");

  const json admin = get_json(sandbox, "/sandbox/videos");
  REQUIRE(admin["count"] == 1);
  const json& stored = admin["videos"][0];
  CHECK(stored["videoNo"] == data["videoNo"]);
  const std::filesystem::path stored_path = stored["storedPath"].get<std::string>();
  CHECK(stored_path.parent_path() == store.path());
  CHECK(read_file(stored_path) == read_file(media.accepted));
  CHECK(stored["sizeBytes"] == std::filesystem::file_size(media.accepted));
  CHECK(stored["sha256"].get<std::string>().size() == 64);
  // No temporary file is left next to the stored one.
  CHECK(files_in(store.path()) == 1);

  // Two uploads of the same file are two videos.
  const HttpAnswer again = curl_upload(sandbox, media.accepted);
  REQUIRE(again.body["code"] == "0000");
  CHECK(again.body["data"]["videoNo"] != data["videoNo"]);
}

TEST_CASE("a filename with spaces and non-ASCII letters is kept as videoName") {
  const auto& media = mavi::test::sample_media();
  TempDir work;
  const auto odd = work / "file with spaces é.mp4";
  std::filesystem::copy_file(media.accepted, odd);
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store));
  const HttpAnswer a = curl_upload(sandbox, odd);
  REQUIRE(a.body["code"] == "0000");
  CHECK(a.body["data"]["videoName"] == "file with spaces é.mp4");
  // Stored under the videoNo, not under the client's name.
  const json admin = get_json(sandbox, "/sandbox/videos");
  CHECK(std::filesystem::path(admin["videos"][0]["storedPath"].get<std::string>()).filename() ==
        a.body["data"]["videoNo"].get<std::string>() + ".mp4");
  CHECK(settled_status(sandbox, a.body["data"]["videoNo"]) == "PARSE");
}

TEST_CASE("the key is checked, raw or as a bearer token, and never logged") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store), kKeyEnv);

  const HttpAnswer wrong =
      curl_upload(sandbox, media.accepted, "/api/serve/video/upload", {}, "sk-wrong");
  CHECK(wrong.status == 401);
  CHECK(wrong.body["code"] == "0401");
  const HttpAnswer missing =
      curl_upload(sandbox, media.accepted, "/api/serve/video/upload", {}, "");
  CHECK(missing.status == 401);
  CHECK(missing.body["code"] == "0401");
  int status = 0;
  get_json(sandbox, "/api/serve/video/searchDB", "sk-wrong", &status);
  CHECK(status == 401);

  CHECK(curl_upload(sandbox, media.accepted).body["code"] == "0000");
  CHECK(curl_upload(sandbox, media.accepted, "/api/serve/video/upload", {}, "Bearer " + kKey)
            .body["code"] == "0000");
  CHECK(get_json(sandbox, "/sandbox/videos")["count"] == 2);

  REQUIRE(sandbox.stop() == 0);
  const std::string log = sandbox.log();
  CHECK(log.find("POST /api/serve/video/upload 401") != std::string::npos);
  CHECK(log.find(kKey) == std::string::npos);
  CHECK(log.find("sk-wrong") == std::string::npos);
}

TEST_CASE("an upload without the file part is a bad request (0001)") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store));
  const HttpAnswer other_name = curl_upload(sandbox, {}, "/api/serve/video/upload",
                                            {"-F", "video=@" + media.accepted.string()});
  CHECK(other_name.status == 200);
  CHECK(other_name.body["code"] == "0001");
  const HttpAnswer not_multipart = curl_upload(sandbox, {}, "/api/serve/video/upload",
                                               {"--data-binary", "@" + media.accepted.string()});
  CHECK(not_multipart.body["code"] == "0001");
  CHECK(get_json(sandbox, "/sandbox/videos")["count"] == 0);
  CHECK(files_in(store.path()) == 0);
}

TEST_CASE("searchDB pages and filters the classic uploads") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store));
  std::vector<json> uploaded;
  for (int i = 0; i < 5; ++i) {
    const HttpAnswer a = curl_upload(sandbox, i == 4 ? media.rejected : media.accepted);
    REQUIRE(a.body["code"] == "0000");
    uploaded.push_back(a.body["data"]);
  }

  const json all = get_json(sandbox, "/api/serve/video/searchDB");
  REQUIRE(all["code"] == "0000");
  CHECK(all["data"]["total"] == 5);
  CHECK(all["data"]["pageSize"] == 20);
  CHECK(all["data"]["current"] == 1);
  CHECK(all["data"]["page"] == 1);
  REQUIRE(all["data"]["videoData"].size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(all["data"]["videoData"][i]["videoNo"] == uploaded[i]["videoNo"]);
    CHECK(all["data"]["videoData"][i]["uploadTime"].is_string());
  }

  const json third = get_json(sandbox, "/api/serve/video/searchDB?page=3&pageSize=2");
  CHECK(third["data"]["total"] == 5);
  CHECK(third["data"]["page"] == 3);  // number of pages
  CHECK(third["data"]["current"] == 3);
  REQUIRE(third["data"]["videoData"].size() == 1);
  CHECK(third["data"]["videoData"][0]["videoNo"] == uploaded[4]["videoNo"]);
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?page=4&pageSize=2")["data"]["videoData"]
            .empty());
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?pageSize=1000")["data"]["pageSize"] == 200);
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?page=0")["code"] == "0001");
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?pageSize=abc")["code"] == "0001");
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?videoStatus=DONE")["code"] == "0001");

  // Time window: inclusive on both ends.
  const std::string first_time = uploaded[0]["uploadTime"];
  const std::string last_time = uploaded[4]["uploadTime"];
  const json window = get_json(
      sandbox, "/api/serve/video/searchDB?startTime=" + first_time + "&endTime=" + first_time);
  REQUIRE(window["data"]["total"].get<int>() >= 1);
  CHECK(window["data"]["videoData"][0]["videoNo"] == uploaded[0]["videoNo"]);
  const json after = get_json(
      sandbox, "/api/serve/video/searchDB?startTime=" + std::to_string(std::stoll(last_time) + 1));
  CHECK(after["data"]["total"] == 0);

  // Status filter, once processing has settled: four accepted, one rejected.
  CHECK(settled_status(sandbox, uploaded[4]["videoNo"]) == "FAIL");
  for (int i = 0; i < 4; ++i)
    CHECK(settled_status(sandbox, uploaded[i]["videoNo"]) == "PARSE");
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?videoStatus=PARSE")["data"]["total"] == 4);
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?videoStatus=FAIL")["data"]["total"] == 1);
  CHECK(get_json(sandbox, "/api/serve/video/searchDB?videoStatus=UNPARSE")["data"]["total"] == 0);
}

TEST_CASE("the callback reports PARSE or FAIL as libmavi's rules decide") {
  const auto& media = mavi::test::sample_media();
  CallbackListener listener;
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store, {"--client-id", "client-42"}));
  const std::string query = "/api/serve/video/upload?callBackUri=" + listener.uri();
  const HttpAnswer good = curl_upload(sandbox, media.accepted, query);
  const HttpAnswer bad = curl_upload(sandbox, media.rejected, query);
  REQUIRE(good.body["code"] == "0000");
  REQUIRE(bad.body["code"] == "0000");

  const auto bodies = listener.wait_for(2);
  REQUIRE(bodies.size() == 2);
  std::map<std::string, json> by_video;
  for (const auto& text : bodies) {
    const json body = json::parse(text, nullptr, false);
    REQUIRE(body.is_object());
    CHECK(body.size() == 3);
    CHECK(body["clientId"] == "client-42");
    by_video[body["videoNo"].get<std::string>()] = body;
  }
  CHECK(by_video[good.body["data"]["videoNo"]]["status"] == "PARSE");
  CHECK(by_video[bad.body["data"]["videoNo"]]["status"] == "FAIL");
  for (const auto& type : listener.content_types())
    CHECK(type == "application/json");
  // The stored status changed with the callback.
  CHECK(settled_status(sandbox, good.body["data"]["videoNo"]) == "PARSE");
  CHECK(settled_status(sandbox, bad.body["data"]["videoNo"]) == "FAIL");
}

TEST_CASE("the v1 generation: upload with fields, get_metadata, list_videos, callback") {
  const auto& media = mavi::test::sample_media();
  CallbackListener listener;
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store), kKeyEnv);
  const HttpAnswer up = curl_upload(
      sandbox, media.accepted, "/serve/api/v1/upload",
      {"-F", "callback=" + listener.uri(), "-F", "unique_id=project-a", "-F", "tags=holiday", "-F",
       "tags=beach", "-F", "camera_model=Canon EOS 5D", "-F", "latitude=39.9"});
  REQUIRE(up.status == 200);
  REQUIRE(up.body["code"] == "0000");
  CHECK(up.body["success"] == true);
  const std::string video_no = up.body["data"]["videoNo"];
  CHECK(up.body["data"]["videoStatus"] == "UNPARSE");
  const HttpAnswer other = curl_upload(sandbox, media.rejected, "/serve/api/v1/upload");
  REQUIRE(other.body["code"] == "0000");

  const auto bodies = listener.wait_for(1);
  REQUIRE(bodies.size() == 1);
  const json callback = json::parse(bodies[0]);
  CHECK(callback == json{{"videoNo", video_no}, {"status", "PARSE"}});

  const json meta =
      get_json(sandbox, "/serve/api/v1/get_metadata?video_no=" + video_no + "&unique_id=project-a");
  REQUIRE(meta["code"] == "0000");
  CHECK(meta["success"] == true);
  CHECK(meta["data"]["status"] == "PARSE");
  CHECK(meta["data"]["video_name"] == media.accepted.filename().string());
  CHECK(meta["data"]["camera_model"] == "Canon EOS 5D");
  CHECK(meta["data"]["tags"] == json{"holiday", "beach"});
  CHECK(get_json(sandbox, "/serve/api/v1/get_metadata?video_no=" + video_no)["code"] == "0404");
  CHECK(get_json(sandbox, "/serve/api/v1/get_metadata?video_no=VI0")["code"] == "0404");
  CHECK(get_json(sandbox, "/serve/api/v1/get_metadata")["code"] == "0001");

  const json scoped = post_json(sandbox, "/serve/api/v1/list_videos",
                                {{"page", 1}, {"size", 10}, {"unique_id", "project-a"}});
  REQUIRE(scoped["code"] == "0000");
  CHECK(scoped["data"]["total_count"] == 1);
  CHECK(scoped["data"]["videos"][0]["video_no"] == video_no);
  const json by_default =
      post_json(sandbox, "/serve/api/v1/list_videos", {{"page", 1}, {"size", 10}});
  CHECK(by_default["data"]["total_count"] == 1);
  CHECK(by_default["data"]["videos"][0]["video_no"] == other.body["data"]["videoNo"]);
  const json by_name = post_json(
      sandbox, "/serve/api/v1/list_videos",
      {{"page", 1}, {"size", 10}, {"unique_id", "default"}, {"video_name", "nothing.mp4"}});
  CHECK(by_name["data"]["total_count"] == 0);
  CHECK(post_json(sandbox, "/serve/api/v1/list_videos", {{"page", 0}, {"size", 10}})["code"] ==
        "0001");
  // v1 uploads are not in the classic listing.
  CHECK(get_json(sandbox, "/api/serve/video/searchDB")["data"]["total"] == 0);
}

TEST_CASE("sandbox fail-rate 1 answers every upload with a 5xx and stores nothing") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store, {"--fail-rate", "1"}));
  for (int i = 0; i < 4; ++i) {
    const HttpAnswer a = curl_upload(sandbox, media.accepted);
    CHECK((a.status == 500 || a.status == 503));
    CHECK(a.body["code"].get<std::string>() == "0" + std::to_string(a.status));
  }
  CHECK(get_json(sandbox, "/sandbox/videos")["count"] == 0);
  CHECK(files_in(store.path()) == 0);
}

TEST_CASE("sandbox rate-limit 1 answers the second upload within a minute with 0429") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store, {"--rate-limit", "1"}));
  CHECK(curl_upload(sandbox, media.accepted).body["code"] == "0000");
  const HttpAnswer limited = curl_upload(sandbox, media.accepted);
  CHECK(limited.status == 200);
  CHECK(limited.body["code"] == "0429");
  std::smatch m;
  REQUIRE(std::regex_search(limited.headers, m, std::regex(R"(Retry-After: ([0-9]+))")));
  CHECK(std::stoi(m[1].str()) >= 1);
  CHECK(std::stoi(m[1].str()) <= 60);
  CHECK(get_json(sandbox, "/sandbox/videos")["count"] == 1);
}

TEST_CASE("sandbox drop-rate 1 closes the connection mid-upload and keeps nothing") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  TempDir work;
  // Big enough that the sandbox stops reading well before the end of the body.
  const auto big = work / "big.mp4";
  {
    std::ofstream out(big, std::ios::binary);
    std::string block(1 << 20, 'x');
    for (int i = 0; i < 8; ++i)
      out << block;
  }
  SandboxProcess sandbox(sandbox_args(store, {"--drop-rate", "1"}));
  for (const auto& file : {big, media.accepted}) {
    const HttpAnswer a = curl_upload(sandbox, file);
    CHECK(a.status == 0);     // no HTTP answer at all
    CHECK(a.curl_exit != 0);  // curl reports the broken connection
  }
  CHECK(get_json(sandbox, "/sandbox/videos")["count"] == 0);
  CHECK(get_json(sandbox, "/api/serve/video/searchDB")["data"]["total"] == 0);
  CHECK(files_in(store.path()) == 0);
  REQUIRE(sandbox.stop() == 0);
  CHECK(sandbox.log().find("POST /api/serve/video/upload dropped") != std::string::npos);
}

TEST_CASE(
    "sandbox stall-rate 1 stops reading and never answers, so a client's stall timeout fires") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store, {"--stall-rate", "1", "--stall-seconds", "600"}));
  // curl gives up when under 1000 bytes/s for 1 s: exit 28, "operation too slow".
  const HttpAnswer a = curl_upload(sandbox, media.accepted, "/api/serve/video/upload",
                                   {"--speed-limit", "1000", "--speed-time", "1"});
  CHECK(a.status == 0);
  CHECK(a.curl_exit == 28);
  CHECK(get_json(sandbox, "/sandbox/videos")["count"] == 0);
  // Shutting down does not wait for the stall to end.
  CHECK(sandbox.stop() == 0);
  CHECK(files_in(store.path()) == 0);
}

TEST_CASE("concurrent uploads are all stored, each under its own videoNo") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store), kKeyEnv);
  std::string script = "for i in 1 2 3 4 5 6 7 8; do curl -sS -H 'Authorization: " + kKey +
                       "' -F 'file=@" + media.accepted.string() + "' '" + sandbox.url() +
                       "/api/serve/video/upload' & done; wait";
  const RunResult r = mavi::test::run({"bash", "-c", script});
  REQUIRE(r.exit_code == 0);
  std::set<std::string> numbers;
  const std::regex video_no(R"re("videoNo":"(VI[0-9]+)")re");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), video_no);
       it != std::sregex_iterator(); ++it) {
    numbers.insert((*it)[1].str());
  }
  CHECK(numbers.size() == 8);
  const json admin = get_json(sandbox, "/sandbox/videos");
  REQUIRE(admin["count"] == 8);
  const std::string original = read_file(media.accepted);
  for (const auto& v : admin["videos"]) {
    CHECK(numbers.count(v["videoNo"].get<std::string>()) == 1);
    CHECK(read_file(v["storedPath"].get<std::string>()) == original);
    CHECK(v["sha256"] == admin["videos"][0]["sha256"]);
  }
  CHECK(files_in(store.path()) == 8);
}

TEST_CASE("sandbox lost-reply-rate 1 registers the upload but never answers") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store, {"--lost-reply-rate", "1"}));
  const HttpAnswer a = curl_upload(sandbox, media.accepted);
  CHECK(a.status == 0);
  const json admin = get_json(sandbox, "/sandbox/videos");
  REQUIRE(admin["count"] == 1);
  CHECK(admin["videos"][0]["videoName"] == media.accepted.filename().string());
  CHECK(get_json(sandbox, "/api/serve/video/searchDB")["data"]["total"] == 1);
}

TEST_CASE("the same --seed gives the same faults") {
  const auto& media = mavi::test::sample_media();
  std::vector<std::vector<int>> runs;
  for (int run = 0; run < 2; ++run) {
    TempDir store;
    SandboxProcess sandbox(sandbox_args(store, {"--fail-rate", "0.5", "--seed", "7"}));
    std::vector<int> statuses;
    for (int i = 0; i < 12; ++i)
      statuses.push_back(curl_upload(sandbox, media.accepted).status);
    runs.push_back(statuses);
  }
  CHECK(runs[0] == runs[1]);
  // Both outcomes occur with this seed: the rate is neither 0 nor 1.
  CHECK(std::count(runs[0].begin(), runs[0].end(), 200) > 0);
  CHECK(std::count(runs[0].begin(), runs[0].end(), 200) < 12);
}

TEST_CASE("sandbox latency and --max-bandwidth still give correct answers") {
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store, {"--latency", "0.05", "--max-bandwidth", "200000"}));
  const HttpAnswer a = curl_upload(sandbox, media.accepted);
  REQUIRE(a.body["code"] == "0000");
  const json admin = get_json(sandbox, "/sandbox/videos");
  CHECK(admin["videos"][0]["sizeBytes"] == std::filesystem::file_size(media.accepted));
}

TEST_CASE("SIGTERM and SIGINT stop the sandbox cleanly, a temporary store is removed") {
  for (int sig : {SIGTERM, SIGINT}) {
    SandboxProcess sandbox;
    CHECK(get_json(sandbox, "/api/serve/video/searchDB")["code"] == "0000");
    std::smatch m;
    const std::string log = sandbox.log();
    REQUIRE(std::regex_search(log, m, std::regex(R"(store (\S+) \(temporary)")));
    const std::filesystem::path temporary_store = m[1].str();
    CHECK(std::filesystem::is_directory(temporary_store));
    CHECK(sandbox.stop(sig) == 0);
    CHECK_FALSE(std::filesystem::exists(temporary_store));
  }
  {
    SandboxProcess quiet({"--quiet"});
    CHECK(get_json(quiet, "/api/serve/video/searchDB")["code"] == "0000");
    CHECK(quiet.stop() == 0);
    CHECK(quiet.log().empty());
  }
  // A named store is kept, with its videos.
  const auto& media = mavi::test::sample_media();
  TempDir store;
  SandboxProcess sandbox(sandbox_args(store));
  REQUIRE(curl_upload(sandbox, media.accepted).body["code"] == "0000");
  CHECK(sandbox.stop() == 0);
  CHECK(files_in(store.path()) == 1);
}

TEST_CASE("usage: --help, --version, bad options exit 64") {
  const auto sandbox = mavi::test::program("mavi-sandbox").string();
  const auto help = mavi::test::run({sandbox, "--help"});
  CHECK(help.exit_code == 0);
  for (const char* option : {"--fail-rate", "--drop-rate", "--rate-limit", "--latency",
                             "--max-bandwidth", "--callback-delay", "--store", "--api-key-file"}) {
    CHECK(help.out.find(option) != std::string::npos);
  }
  const auto version = mavi::test::run({sandbox, "--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("mavi-sandbox ", 0) == 0);
  CHECK(mavi::test::run({sandbox, "--no-such-option"}).exit_code == 64);
  CHECK(mavi::test::run({sandbox, "--fail-rate", "1.5"}).exit_code == 64);
  CHECK(mavi::test::run({sandbox, "--port", "x"}).exit_code == 64);
  CHECK(mavi::test::run({sandbox, "--api-key-file", "/dev/null"}).exit_code == 64);
}

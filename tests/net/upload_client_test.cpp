// mavi::Client against a real HTTP server on 127.0.0.1 (FakeMavi): request shape, answers,
// retries, duplicate protection, pacing, timeouts, cancellation, memory on a 1 GiB upload.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "net/fake_mavi.hpp"
#include "support/expect_error.hpp"
#include "support/paths.hpp"

namespace {

using namespace std::chrono_literals;
using mavi::Errc;
using mavi::test::FakeMavi;
using mavi::test::Fault;

// libcurl's global state, as every program's main() sets it up.
const mavi::HttpGlobal http_global;

const std::string kKey = "sk-TESTKEY-12345";

std::filesystem::path make_clip(const mavi::test::TempDir& dir, const std::string& name,
                                std::size_t size = 200 * 1024) {
  const auto path = dir / name;
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < size; ++i)
    out.put(static_cast<char>(i * 31 % 251));
  return path;
}

mavi::ClientConfig config_for(const FakeMavi& server) {
  mavi::ClientConfig config;
  config.base_url = server.base_url();
  config.api_key = kKey;
  config.uploads_per_minute = 0;  // pacing has its own test
  config.retry.base_backoff = 20ms;
  config.retry.max_backoff = 200ms;
  config.connect_timeout = 5s;
  config.low_speed_time = 20s;
  return config;
}

using mavi::test::expect_error;

long vm_hwm_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

TEST_CASE("a successful upload sends exactly one file part, the query and the raw key") {
  FakeMavi server;
  mavi::test::TempDir dir;
  const auto clip = make_clip(dir, "clip one.mp4");
  mavi::Client client(config_for(server));
  mavi::UploadOptions options;
  options.callback_uri = "https://example.com/hook?a=1&b=two words";

  const mavi::UploadResult result = client.upload(clip, options);

  CHECK(result.http_status == 200);
  CHECK(result.code == "0000");
  CHECK(result.video.video_no == "VI1001");
  CHECK(result.video.video_name == "clip one.mp4");
  CHECK(result.video.video_status == "UNPARSE");
  CHECK(result.attempts == 1);
  CHECK_FALSE(result.recovered_by_lookup);
  CHECK(result.bytes_sent > 200 * 1024);

  const auto uploads = server.uploads();
  REQUIRE(uploads.size() == 1);
  const auto& seen = uploads[0];
  CHECK(seen.path == "/api/serve/video/upload");
  CHECK(seen.authorization == kKey);
  CHECK(seen.has_callback_query);
  CHECK(seen.callback_query == options.callback_uri);
  CHECK(seen.content_type.rfind("multipart/form-data; boundary=", 0) == 0);
  REQUIRE(seen.parts.size() == 1);
  CHECK(seen.parts[0].name == "file");
  CHECK(seen.parts[0].filename == "clip one.mp4");
  CHECK(seen.parts[0].content_type == "video/mp4");
  CHECK(seen.parts[0].bytes == 200 * 1024);
  REQUIRE(server.stored().size() == 1);
  CHECK(server.stored()[0].size == 200 * 1024);
}

TEST_CASE("bearer scheme, no callback, filename and content type overrides") {
  FakeMavi server;
  mavi::test::TempDir dir;
  const auto clip = make_clip(dir, "raw.mov");
  auto config = config_for(server);
  config.auth_scheme = mavi::AuthScheme::bearer;
  mavi::Client client(config);
  CHECK(client.upload(clip).video.video_name == "raw.mov");
  mavi::UploadOptions options;
  options.filename = "renamed.mp4";
  options.content_type = "video/mp4";
  client.upload(clip, options);

  const auto uploads = server.uploads();
  REQUIRE(uploads.size() == 2);
  CHECK(uploads[0].authorization == "Bearer " + kKey);
  CHECK_FALSE(uploads[0].has_callback_query);
  CHECK(uploads[0].parts.at(0).content_type == "video/quicktime");
  CHECK(uploads[1].parts.at(0).filename == "renamed.mp4");
  CHECK(uploads[1].parts.at(0).content_type == "video/mp4");
}

TEST_CASE("the v1 generation posts form fields and looks up through v1 endpoints") {
  FakeMavi server;
  mavi::test::TempDir dir;
  const auto clip = make_clip(dir, "v1.mp4");
  auto config = config_for(server);
  config.api = mavi::ApiGeneration::v1;
  mavi::Client client(config);
  mavi::UploadOptions options;
  options.callback_uri = "https://example.com/cb";
  options.unique_id = "team-a";
  options.tags = {"cats", "outdoor"};
  options.camera_model = "Pixel 8";
  options.latitude = 48.8566;
  options.longitude = 2.3522;
  options.retain_original_video = true;
  options.video_transcription_prompt = "names of cats";

  const auto result = client.upload(clip, options);
  CHECK(result.video.video_no == "VI1001");

  const auto uploads = server.uploads();
  REQUIRE(uploads.size() == 1);
  CHECK(uploads[0].path == "/serve/api/v1/upload");
  CHECK(uploads[0].authorization == kKey);
  CHECK_FALSE(uploads[0].has_callback_query);
  std::multimap<std::string, std::string> fields;
  int file_parts = 0;
  for (const auto& part : uploads[0].parts) {
    if (part.name == "file") {
      ++file_parts;
    } else {
      fields.emplace(part.name, part.value);
    }
  }
  CHECK(file_parts == 1);
  CHECK(fields.find("callback")->second == "https://example.com/cb");
  CHECK(fields.find("unique_id")->second == "team-a");
  CHECK(fields.count("tags") == 2);
  CHECK(fields.find("camera_model")->second == "Pixel 8");
  CHECK(fields.find("latitude")->second == "48.8566");
  CHECK(fields.find("retain_original_video")->second == "true");
  CHECK(fields.find("video_transcription_prompt")->second == "names of cats");

  const auto now = std::chrono::system_clock::now();
  const auto found = client.find_uploaded("v1.mp4", {now - 1h, now + 1h}, "team-a");
  REQUIRE(found);
  CHECK(found->video_no == "VI1001");
  const auto status = client.status("VI1001", std::nullopt, "team-a");
  REQUIRE(status);
  CHECK(status->video_status == "PARSE");
  CHECK_FALSE(client.status("VI9999"));
}

TEST_CASE("classic lookups: find_uploaded and status through searchDB") {
  FakeMavi server;
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  client.upload(make_clip(dir, "a.mp4"));
  client.upload(make_clip(dir, "b.mp4"));
  const auto now = std::chrono::system_clock::now();
  const auto found = client.find_uploaded("b.mp4", {now - 1h, now + 1h});
  REQUIRE(found);
  CHECK(found->video_no == "VI1002");
  CHECK_FALSE(client.find_uploaded("b.mp4", {now - 3h, now - 2h}));
  CHECK_FALSE(client.find_uploaded("c.mp4", {now - 1h, now + 1h}));
  const auto status = client.status("VI1001");
  REQUIRE(status);
  CHECK(status->video_name == "a.mp4");
  CHECK_FALSE(client.status("VI4242"));
}

TEST_CASE("a bad key is reported as bad_auth, not retried, and the key is not echoed") {
  FakeMavi server;
  server.set_expected_authorization("the-right-key");
  mavi::test::TempDir dir;
  const auto clip = make_clip(dir, "clip.mp4");
  mavi::Client client(config_for(server));
  const auto error = expect_error([&] { client.upload(clip); });
  CHECK(error.kind() == Errc::bad_auth);
  CHECK(error.native_code() == 401);
  CHECK(std::string(error.what()).find("0401") != std::string::npos);
  // The server echoes the Authorization value in its message; it must not reach ours.
  CHECK(std::string(error.what()).find(kKey) == std::string::npos);
  CHECK(server.uploads().size() == 1);
  CHECK(server.stored().empty());
}

TEST_CASE("HTTP 500 is retried and the second attempt succeeds") {
  FakeMavi server;
  server.script({Fault::http500});
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  const auto result = client.upload(make_clip(dir, "clip.mp4"));
  CHECK(result.attempts == 2);
  CHECK(result.video.video_no == "VI1001");
  CHECK(server.uploads().size() == 2);
  CHECK(server.stored().size() == 1);
}

TEST_CASE("an upload stored before a 500 is found by lookup, not uploaded twice") {
  FakeMavi server;
  server.script({Fault::store_then_500});
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  const auto result = client.upload(make_clip(dir, "clip.mp4"));
  CHECK(result.recovered_by_lookup);
  CHECK(result.video.video_no == "VI1001");
  CHECK(server.uploads().size() == 1);
  CHECK(server.stored().size() == 1);
  CHECK(server.lookups() >= 1);
}

TEST_CASE("a connection dropped after the whole body is retried without a duplicate") {
  FakeMavi server;
  server.script({Fault::store_then_drop});
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  const auto result = client.upload(make_clip(dir, "dropped.mp4"));
  CHECK(result.recovered_by_lookup);
  CHECK(result.video.video_no == "VI1001");
  CHECK(result.video.video_name == "dropped.mp4");
  CHECK(server.uploads().size() == 1);
  CHECK(server.stored().size() == 1);
}

TEST_CASE("a connection dropped in the middle of the body is retried: one video stored") {
  FakeMavi server;
  server.script({Fault::drop_mid_body, Fault::drop_mid_body});
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  const auto result = client.upload(make_clip(dir, "clip.mp4", 4 * 1024 * 1024));
  CHECK(result.attempts == 3);
  CHECK_FALSE(result.recovered_by_lookup);
  CHECK(server.uploads().size() == 3);
  REQUIRE(server.stored().size() == 1);
  CHECK(server.stored()[0].size == 4 * 1024 * 1024);
}

TEST_CASE("persistent server errors give up after max_attempts with server_error") {
  FakeMavi server;
  server.script({Fault::http500, Fault::http500, Fault::http500, Fault::http500});
  mavi::test::TempDir dir;
  auto config = config_for(server);
  config.retry.max_attempts = 3;
  mavi::Client client(config);
  const auto error = expect_error([&] { client.upload(make_clip(dir, "clip.mp4")); });
  CHECK(error.kind() == Errc::server_error);
  CHECK(mavi::is_retryable(error.kind()));
  CHECK(std::string(error.what()).find("3 attempts") != std::string::npos);
  CHECK(server.uploads().size() == 3);
  CHECK(server.stored().empty());
}

TEST_CASE("code 0429 is sent again after Retry-After, without a lookup or a spent attempt") {
  FakeMavi server;
  server.script({Fault::rate_limited});
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  const auto start = std::chrono::steady_clock::now();
  const auto result = client.upload(make_clip(dir, "clip.mp4"));
  CHECK(result.attempts == 1);
  CHECK(result.rate_limited_answers == 1);
  CHECK(server.stored().size() == 1);
  CHECK(server.lookups() == 0);
  // Retry-After: 1 is a lower bound on the wait, whatever the machine's speed.
  CHECK(std::chrono::steady_clock::now() - start >= 1s);
}

TEST_CASE("rate limiting with retries disabled still uploads: a 0429 spends no attempt") {
  FakeMavi server;
  server.script({Fault::rate_limited, Fault::rate_limited});
  mavi::test::TempDir dir;
  auto config = config_for(server);
  config.retry.max_attempts = 1;
  mavi::Client client(config);
  const auto result = client.upload(make_clip(dir, "clip.mp4"));
  CHECK(result.attempts == 1);
  CHECK(result.rate_limited_answers == 2);
  CHECK(server.stored().size() == 1);
}

TEST_CASE("HTTP 400 'exceeded the limit' is rate limiting, until it never ends") {
  mavi::test::TempDir dir;
  const auto clip = make_clip(dir, "clip.mp4");
  auto config = [](const FakeMavi& server) {
    auto c = config_for(server);
    c.uploads_per_minute = 6000;  // the halved pace stays in milliseconds
    c.retry.max_attempts = 1;
    return c;
  };
  {
    FakeMavi server;
    server.script({Fault::limit_400, Fault::limit_400, Fault::limit_400});
    const auto result = mavi::Client(config(server)).upload(clip);
    CHECK(result.rate_limited_answers == 3);
    CHECK(server.stored().size() == 1);
  }
  // v2 answers some refused requests with the same words: eight in a row end the upload.
  FakeMavi server;
  server.script(std::vector<Fault>(12, Fault::limit_400));
  const mavi::Error e = expect_error([&] { mavi::Client(config(server)).upload(clip); });
  CHECK(e.kind() == mavi::Errc::bad_request);
  CHECK(std::string(e.what()).find("8 times in a row with HTTP 400") != std::string::npos);
  CHECK(server.uploads().size() == 8);
  CHECK(server.stored().empty());
}

TEST_CASE("pacing spaces uploads of every client of the process with the same base URL") {
  FakeMavi server;
  mavi::test::TempDir dir;
  const auto clip = make_clip(dir, "clip.mp4", 1024);
  auto config = config_for(server);
  config.uploads_per_minute = 120;  // one every 0.5 s
  mavi::Client first(config);
  mavi::Client second(config);
  std::thread other([&] {
    second.upload(clip);
    second.upload(clip);
  });
  first.upload(clip);
  first.upload(clip);
  other.join();
  auto uploads = server.uploads();
  REQUIRE(uploads.size() == 4);
  std::sort(uploads.begin(), uploads.end(),
            [](const auto& a, const auto& b) { return a.arrived < b.arrived; });
  // Four slots 0.5 s apart: the last starts at least 1.5 s after the first (a lower bound,
  // with a little room for when each request reaches the server).
  CHECK(uploads.back().arrived - uploads.front().arrived >= 1200ms);
}

TEST_CASE("a server that stops answering hits the low-speed limit as a timeout") {
  FakeMavi server;
  // curl measures speed over a few seconds: the stall must outlast that window.
  server.stall_time = 60s;
  server.script({Fault::stall});
  mavi::test::TempDir dir;
  auto config = config_for(server);
  config.low_speed_time = 1s;
  config.low_speed_limit_bytes_per_second = 1000;
  config.retry.max_attempts = 1;
  mavi::Client client(config);
  const auto error = expect_error([&] { client.upload(make_clip(dir, "clip.mp4")); });
  CHECK(error.kind() == Errc::timeout);
  CHECK(mavi::is_retryable(error.kind()));
}

TEST_CASE("a body that is not JSON is bad_response with a redacted excerpt") {
  FakeMavi server;
  server.script({Fault::malformed});
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  const auto error = expect_error([&] { client.upload(make_clip(dir, "clip.mp4")); });
  CHECK(error.kind() == Errc::bad_response);
  const std::string message = error.what();
  CHECK(message.find("<html>Gateway says hi") != std::string::npos);
  CHECK(message.find(kKey) == std::string::npos);
  CHECK(message.find("<redacted>") != std::string::npos);
}

TEST_CASE("returning false from the progress callback cancels the upload") {
  FakeMavi server;
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  int calls = 0;
  const auto error = expect_error([&] {
    client.upload(make_clip(dir, "clip.mp4", 8 * 1024 * 1024), {},
                  [&](const mavi::UploadProgress&) { return ++calls < 2; });
  });
  CHECK(error.kind() == Errc::cancelled);
  CHECK(calls == 2);
  CHECK(server.stored().empty());
}

TEST_CASE("an exception thrown by the progress callback reaches the caller") {
  FakeMavi server;
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server));
  CHECK_THROWS_WITH(client.upload(make_clip(dir, "clip.mp4"), {},
                                  [](const mavi::UploadProgress&) -> bool {
                                    throw std::runtime_error("from the callback");
                                  }),
                    "from the callback");
}

TEST_CASE("plain http to a non-loopback host is refused before connecting") {
  mavi::ClientConfig config;
  config.api_key = kKey;
  config.base_url = "http://mavi.example.com";
  const auto error = expect_error([&] { mavi::Client client(config); });
  CHECK(error.kind() == Errc::invalid_argument);
  CHECK(std::string(error.what()).find("--allow-insecure-http") != std::string::npos);
  CHECK(std::string(error.what()).find(kKey) == std::string::npos);

  config.base_url = "ftp://127.0.0.1/";
  CHECK(expect_error([&] { mavi::Client client(config); }).kind() == Errc::invalid_argument);

  for (const char* url : {"http://127.0.0.1:9", "http://127.8.9.10", "http://localhost:1",
                          "http://[::1]:80", "https://mavi.example.com"}) {
    config.base_url = url;
    CHECK_NOTHROW(mavi::Client(config));
  }
  config.base_url = "http://mavi.example.com";
  config.allow_insecure_http = true;
  CHECK_NOTHROW(mavi::Client(config));
}

TEST_CASE("a key with a line break is refused (no header injection)") {
  mavi::ClientConfig config;
  config.api_key = "abc\r\nX-Evil: 1";
  CHECK(expect_error([&] { mavi::Client client(config); }).kind() == Errc::invalid_argument);
}

TEST_CASE("a connection refused is a retryable network error naming the URL") {
  int port = 0;
  {
    FakeMavi closed;
    port = std::stoi(closed.base_url().substr(closed.base_url().rfind(':') + 1));
  }
  mavi::test::TempDir dir;
  mavi::ClientConfig config;
  config.base_url = "http://127.0.0.1:" + std::to_string(port);
  config.api_key = kKey;
  config.uploads_per_minute = 0;
  config.retry.max_attempts = 2;
  config.retry.base_backoff = 10ms;
  mavi::Client client(config);
  const auto error = expect_error([&] { client.upload(make_clip(dir, "clip.mp4")); });
  CHECK(error.kind() == Errc::network);
  CHECK(std::string(error.what()).find(config.base_url) != std::string::npos);
}

TEST_CASE("a missing file is not_found before any request") {
  FakeMavi server;
  mavi::Client client(config_for(server));
  CHECK(expect_error([&] { client.upload("/nonexistent/clip.mp4"); }).kind() == Errc::not_found);
  CHECK(server.uploads().empty());
}

TEST_CASE("verbose logs show requests with Authorization redacted") {
  FakeMavi server;
  server.script({Fault::http500});
  mavi::test::TempDir dir;
  auto config = config_for(server);
  std::vector<std::string> lines;
  std::mutex mutex;
  config.verbose = [&](std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  };
  mavi::Client client(config);
  client.upload(make_clip(dir, "clip.mp4"));
  bool saw_redacted = false;
  for (const auto& line : lines) {
    CHECK(line.find(kKey) == std::string::npos);
    if (line.find("Authorization: <redacted>") != std::string::npos)
      saw_redacted = true;
  }
  CHECK(saw_redacted);
}

TEST_CASE("a 1 GiB sparse file streams with constant memory") {
  FakeMavi server;
  mavi::test::TempDir dir;
  const auto big = dir / "big.mp4";
  {
    const int fd = ::open(big.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, 1LL << 30) == 0);
    ::close(fd);
  }
  // Reset the peak so earlier tests do not hide this one's growth.
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const long before = vm_hwm_kib();
  REQUIRE(before > 0);
  mavi::Client client(config_for(server));
  std::uint64_t last_sent = 0;
  const auto result = client.upload(big, {}, [&](const mavi::UploadProgress& p) {
    last_sent = p.bytes_sent;
    return true;
  });
  const long after = vm_hwm_kib();
  CHECK(result.video.video_no == "VI1001");
  REQUIRE(server.stored().size() == 1);
  CHECK(server.stored()[0].size == (1ULL << 30));
  CHECK(last_sent >= (1ULL << 30));
  INFO("VmHWM before " << before << " KiB, after " << after << " KiB");
  CHECK(after - before < 64 * 1024);
}

// mavi::Client against mavi-sandbox (a child process) with faults switched on: every file
// ends up stored exactly once, whatever the sandbox drops, fails or leaves unanswered.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "support/paths.hpp"
#include "support/sandbox_process.hpp"

namespace {

using namespace std::chrono_literals;

const std::string kKey = "sk-TESTKEY-12345";

// Every video the sandbox lists (classic searchDB, one page of 200), by name.
std::map<std::string, int> listed_names(const std::string& base_url) {
  httplib::Client http(base_url);
  auto response = http.Get("/api/serve/video/searchDB?page=1&pageSize=200",
                           httplib::Headers{{"Authorization", kKey}});
  REQUIRE(response);
  REQUIRE(response->status == 200);
  const auto doc = nlohmann::json::parse(response->body);
  std::map<std::string, int> names;
  for (const auto& video : doc.at("data").at("videoData")) {
    ++names[video.at("videoName").get<std::string>()];
  }
  return names;
}

mavi::ClientConfig config_for(const std::string& url) {
  mavi::ClientConfig config;
  config.base_url = url;
  config.api_key = kKey;
  config.uploads_per_minute = 0;
  config.retry.max_attempts = 12;
  config.retry.base_backoff = 10ms;
  config.retry.max_backoff = 50ms;
  return config;
}

}  // namespace

// (libcurl's global state comes from the HttpGlobal in upload_client_test.cpp: one per
// process.)

TEST_CASE("against a faulty mavi-sandbox every upload is stored exactly once") {
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--fail-rate", "0.2", "--drop-rate", "0.2",
                                      "--lost-reply-rate", "0.3", "--seed", "7", "--callback-delay",
                                      "0.1"});
  mavi::test::TempDir dir;
  mavi::Client client(config_for(sandbox.url()));
  std::map<std::string, std::string> video_of;
  int recovered = 0;
  for (int i = 0; i < 10; ++i) {
    const auto copy = dir / ("clip_" + std::to_string(i) + ".mp4");
    std::filesystem::copy_file(mavi::test::fixture("h264_aac.mp4"), copy);
    const auto result = client.upload(copy);
    CHECK(result.video.video_name == copy.filename().string());
    video_of[copy.filename().string()] = result.video.video_no;
    if (result.recovered_by_lookup)
      ++recovered;
  }
  const auto names = listed_names(sandbox.url());
  CHECK(names.size() == 10);
  for (const auto& [name, count] : names) {
    INFO(name);
    CHECK(count == 1);
    CHECK(video_of.count(name) == 1);
  }
  // With this seed some replies are lost after the video was stored: those are the ones the
  // lookup recovered (without it, they would be listed twice above).
  INFO("recovered by lookup: " << recovered);
  CHECK(recovered >= 1);

  const auto status = client.status(video_of.begin()->second);
  REQUIRE(status);
  CHECK(status->video_name == video_of.begin()->first);
  const std::string log = sandbox.log();
  CHECK(log.find(kKey) == std::string::npos);
}

TEST_CASE("the v1 generation against mavi-sandbox: upload, get_metadata, list_videos") {
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--callback-delay", "0.1"});
  auto config = config_for(sandbox.url());
  config.api = mavi::ApiGeneration::v1;
  mavi::Client client(config);
  mavi::UploadOptions options;
  options.unique_id = "team";
  options.tags = {"a", "b"};
  const auto result = client.upload(mavi::test::fixture("h264_aac.mp4"), options);
  CHECK(result.code == "0000");
  REQUIRE_FALSE(result.video.video_no.empty());
  const auto status = client.status(result.video.video_no, std::nullopt, "team");
  REQUIRE(status);
  CHECK(status->video_no == result.video.video_no);
  CHECK_FALSE(client.status(result.video.video_no, std::nullopt, "other-team"));
  const auto now = std::chrono::system_clock::now();
  const auto found = client.find_uploaded("h264_aac.mp4", {now - 1h, now + 1h}, "team");
  REQUIRE(found);
  CHECK(found->video_no == result.video.video_no);
}

TEST_CASE("a wrong key against mavi-sandbox is bad_auth on both generations") {
  mavi::test::SandboxProcess sandbox({"--api-key", "the-right-key"});
  for (auto api : {mavi::ApiGeneration::classic, mavi::ApiGeneration::v1}) {
    auto config = config_for(sandbox.url());
    config.api = api;
    mavi::Client client(config);
    try {
      client.upload(mavi::test::fixture("h264_aac.mp4"));
      FAIL("no error");
    } catch (const mavi::Error& e) {
      CHECK(e.kind() == mavi::Errc::bad_auth);
      CHECK(std::string(e.what()).find(kKey) == std::string::npos);
    }
  }
}

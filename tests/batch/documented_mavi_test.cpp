// MAVI as its pages document it, run against mavi-sandbox on 127.0.0.1: processing that ends
// FAILED or PARSE_ERROR with a cause, upload limits stricter than the client's pace answered
// 0429 without Retry-After, servers that rename videos, and look-ups kept under their limits.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using nlohmann::json;

const std::string kKey = "documented-key";

RunResult batch(const mavi::test::SandboxProcess& sandbox, const fs::path& dir,
                std::vector<std::string> extra) {
  std::vector<std::string> args{mavi::test::program("mavi-prepare-and-upload").string(),
                                "--base-url", sandbox.url(), "--journal",
                                (dir / "journal.sqlite").string()};
  // --json, unless the events are asked for instead.
  if (std::find(extra.begin(), extra.end(), "--json-lines") == extra.end())
    args.push_back("--json");
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back((dir / "in").string());
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  return mavi::test::run(args, options);
}

json admin(const mavi::test::SandboxProcess& sandbox, const std::string& what) {
  const RunResult r =
      mavi::test::run({"curl", "-sS", "-H", "Authorization: " + kKey, sandbox.url() + what});
  INFO(what << ": " << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// sha256 -> how many times the sandbox stored those bytes (both generations).
std::map<std::string, int> stored_contents(const mavi::test::SandboxProcess& sandbox) {
  const json videos = admin(sandbox, "/sandbox/videos");
  std::map<std::string, int> times;
  for (const auto& v : videos.at("videos"))
    ++times[v.at("sha256").get<std::string>()];
  return times;
}

void expect_each_stored_once(const mavi::test::SandboxProcess& sandbox, int count) {
  const auto times = stored_contents(sandbox);
  CHECK(times.size() == static_cast<std::size_t>(count));
  for (const auto& [sha, n] : times) {
    INFO(sha);
    CHECK(n == 1);
  }
}

void copy_fixture(const std::string& name, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(mavi::test::fixture(name), to, fs::copy_options::overwrite_existing);
}

const json* file_named(const json& report, const std::string& filename) {
  for (const auto& f : report.at("files")) {
    if (fs::path(f.at("path").get<std::string>()).filename() == filename)
      return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("waiting ends on FAILED and PARSE_ERROR, the cause reported and journaled",
          "[batch][documented]") {
  struct Case {
    std::string api;
    std::string word;
  };
  const Case c = GENERATE(Case{"v1", "FAILED"}, Case{"classic", "PARSE_ERROR"});
  INFO(c.api << " " << c.word);
  mavi::test::TempDir dir;
  copy_fixture("h264_aac.mp4", dir / "in" / "with_audio.mp4");
  copy_fixture("h264_noaudio.mp4", dir / "in" / "silent.mp4");
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0.3", "--require-audio", "--failed-status", "auto",
       "--admin", "--status-rate-limit", "1", "--list-rate-limit", "5", "--quiet"});
  // The wait timeout is far beyond what the batch needs: a run that polled a final failure
  // until its timeout would show as "still processing" (and ctest's timeout would end it).
  const RunResult r =
      batch(sandbox, dir.path(),
            {"--api", c.api, "--uploads-per-minute", "0", "--wait", "--wait-timeout", "10m"});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // a video MAVI could not process is a failure
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 2);
  CHECK(report["summary"]["processing_failed"] == 1);
  CHECK(report["summary"]["parsed"] == 1);
  CHECK(report["summary"]["wait_timed_out"] == false);
  CHECK(r.err.find("still processing") == std::string::npos);
  const json* silent = file_named(report, "silent.mp4");
  REQUIRE(silent);
  CHECK((*silent)["upload"]["videoStatus"] == c.word);
  CHECK((*silent)["upload"]["processing"] == "failed");
  if (c.api == "v1") {
    // list_videos and get_metadata give the cause; searchDB does not.
    CHECK((*silent)["upload"]["cause"].get<std::string>().find("audio") != std::string::npos);
  }
  const json* loud = file_named(report, "with_audio.mp4");
  REQUIRE(loud);
  CHECK((*loud)["upload"]["processing"] == "ready");

  // The journal keeps the outcome: its report says the file failed, with the word.
  const RunResult journal =
      mavi::test::run({mavi::test::program("mavi-prepare-and-upload").string(), "--report",
                       "--journal", (dir / "journal.sqlite").string()});
  INFO(journal.out << journal.err);
  CHECK(journal.exit_code == 0);
  CHECK(journal.out.find(c.word) != std::string::npos);
  // Status polls and listings stayed under the sandbox's limits.
  const json stats = admin(sandbox, "/sandbox/stats");
  CHECK(stats["rate_limited"]["status"] == 0);
  CHECK(stats["rate_limited"]["list"] == 0);
}

TEST_CASE("a stricter upload limit without Retry-After: 10 files uploaded once, none failed",
          "[batch][documented]") {
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 10);
  // One upload a second (2 per 2 s window), answered HTTP 429 without Retry-After; the client
  // starts at 10 a second and may not retry anything (--retries 0): a rate-limited answer
  // that used up an attempt would fail its file.
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--callback-delay", "0", "--admin",
                                      "--rate-limit", "2", "--rate-window", "2s",
                                      "--no-retry-after", "--rate-limit-status", "429", "--quiet"});
  const RunResult r =
      batch(sandbox, dir.path(), {"--uploads-per-minute", "600", "--retries", "0", "--json-lines"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  int rate_limited_events = 0;
  json summary;
  std::size_t start = 0;
  for (std::size_t end; (end = r.out.find('\n', start)) != std::string::npos; start = end + 1) {
    const json event = json::parse(r.out.substr(start, end - start));
    if (event["event"] == "rate_limited") {
      ++rate_limited_events;
      CHECK(event["uploads_per_minute"].get<double>() < 600);
      CHECK(event["uploads_left"].get<int>() >= 1);
      CHECK(event.contains("eta_seconds"));
    }
    if (event["event"] == "summary")
      summary = event;
  }
  REQUIRE(summary.is_object());
  CHECK(summary["uploaded"] == 10);
  CHECK(summary["failed"] == 0);
  const int answers = summary["rate_limited_answers"].get<int>();
  WARN("0429 answers for 10 files: " << answers);
  CHECK(answers >= 1);  // the limit was really hit
  CHECK(rate_limited_events == answers);
  CHECK(admin(sandbox, "/sandbox/stats")["rate_limited"]["upload"] == answers);
  expect_each_stored_once(sandbox, 10);
}

TEST_CASE("a v1 server renaming videos and losing replies: each file uploaded once",
          "[batch][documented]") {
  const std::string rename = GENERATE(std::string("hash"), std::string("stem"));
  INFO(rename);
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 3);
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--callback-delay", "0", "--admin",
                                      "--rename-videos", rename, "--lost-reply-rate", "1",
                                      "--string-numbers", "--quiet"});
  const RunResult r = batch(sandbox, dir.path(), {"--api", "v1", "--uploads-per-minute", "0"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 3);
  for (const auto& f : report["files"]) {
    CHECK(f["upload"]["recovered_by_lookup"] == true);
    CHECK(f["upload"]["videoName"] != fs::path(f["path"].get<std::string>()).filename().string());
  }
  expect_each_stored_once(sandbox, 3);
}

TEST_CASE("sandbox --realistic: documented limits and behaviour", "[sandbox]") {
  mavi::test::TempDir dir;
  copy_fixture("h264_aac.mp4", dir / "in" / "clip.mp4");
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0.2", "--admin", "--realistic", "--quiet"});
  // The client's default pace is the documented one: the first upload goes at once.
  const RunResult r = batch(sandbox, dir.path(), {"--api", "v1", "--wait"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  REQUIRE(report["files"].size() == 1);
  const json& upload = report["files"][0]["upload"];
  CHECK(upload["processing"] == "ready");
  // A server-side name (32 hex digits), as the v1 upload page's example answers.
  CHECK(upload["videoName"].get<std::string>().size() == 32);

  // Listings send their numbers as strings, and a second upload within the minute is 0429
  // (HTTP 429, no Retry-After).
  const RunResult list = mavi::test::run({"curl", "-sS", "-H", "Authorization: " + kKey, "-H",
                                          "Content-Type: application/json", "-d",
                                          R"({"page":1,"size":20,"unique_id":"default"})",
                                          sandbox.url() + "/serve/api/v1/list_videos"});
  REQUIRE(list.exit_code == 0);
  const json listed = json::parse(list.out);
  CHECK(listed["data"]["total_count"] == "1");
  CHECK(listed["data"]["videos"][0]["size"].is_string());
  CHECK(listed["data"]["videos"][0]["cause"] == "null");
  const RunResult again =
      mavi::test::run({"curl", "-sS", "-i", "-H", "Authorization: " + kKey, "-F",
                       "file=@" + (dir / "in" / "clip.mp4").string() + ";type=video/mp4",
                       sandbox.url() + "/serve/api/v1/upload"});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("HTTP/1.1 429") != std::string::npos);
  CHECK(again.out.find("0429") != std::string::npos);
  CHECK(again.out.find("Retry-After") == std::string::npos);
  // Upload-time validation: an extension the v1 page does not list is refused with 0001.
  mavi::test::SandboxProcess fresh(
      {"--api-key", kKey, "--callback-delay", "0", "--realistic", "--quiet"});
  copy_fixture("vp9_opus.webm", dir / "clip.webm");
  const RunResult webm =
      mavi::test::run({"curl", "-sS", "-H", "Authorization: " + kKey, "-F",
                       "file=@" + (dir / "clip.webm").string() + ";type=video/webm",
                       fresh.url() + "/serve/api/v1/upload"});
  REQUIRE(webm.exit_code == 0);
  CHECK(json::parse(webm.out)["code"] == "0001");
}

TEST_CASE("sandbox --realistic under v2: 1 request a second per endpoint, and a batch keeps to it",
          "[sandbox]") {
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 3);
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0", "--admin", "--realistic", "--quiet"});
  // Two uploads in the same second: the second is refused as v2 refuses (HTTP 400, "exceeded
  // the limit"); a second later the endpoint takes one again (uploads are not 1 a minute here).
  auto curl_upload = [&](const fs::path& file) {
    return mavi::test::run({"curl", "-sS", "-i", "-H", "Authorization: " + kKey, "-F",
                            "file=@" + file.string() + ";type=video/mp4",
                            sandbox.url() + "/serve/api/v2/upload"});
  };
  std::vector<fs::path> clips;
  for (const auto& entry : fs::directory_iterator(dir / "in"))
    clips.push_back(entry.path());
  std::sort(clips.begin(), clips.end());
  REQUIRE(clips.size() == 3);
  const RunResult first = curl_upload(clips[0]);
  const RunResult second = curl_upload(clips[0]);
  REQUIRE(first.exit_code == 0);
  REQUIRE(second.exit_code == 0);
  CHECK(first.out.find("HTTP/1.1 200") != std::string::npos);
  CHECK(second.out.find("HTTP/1.1 400") != std::string::npos);
  CHECK(second.out.find("exceeded the limit") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(curl_upload(clips[0]).out.find("HTTP/1.1 200") != std::string::npos);

  // The client's documented v2 pace (1 request a second for the account) uploads every file.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const RunResult r = batch(sandbox, dir.path(), {"--api", "v2"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  REQUIRE(report["files"].size() == 3);
  for (const auto& f : report["files"])
    CHECK(f["status"] == "uploaded");
}

// mavi-prepare-and-upload on http:// sources, against mavi-sandbox, with the fixtures served on
// 127.0.0.1 by a server with range requests and by one without. An acceptable source goes to
// MAVI by URL under v1 (MAVI fetches it: no byte of it passes through the program); a fixable
// one, or any source under a generation without upload by URL, is downloaded, prepared and
// uploaded as a file. Every source reaches MAVI once, its stored bytes are checked, and no
// download is left behind.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "net/file_servers.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using nlohmann::json;

const std::string kKey = "sk-remote-1";

fs::path fixtures() {
  return mavi::test::fixture("h264_aac.mp4").parent_path();
}

RunResult prepare_and_upload(const mavi::test::SandboxProcess& sandbox, const fs::path& dir,
                             const std::string& api, std::vector<std::string> sources) {
  std::vector<std::string> args{mavi::test::program("mavi-prepare-and-upload").string(),
                                "--api",
                                api,
                                "--base-url",
                                sandbox.url(),
                                "--uploads-per-minute",
                                "0",
                                "--journal",
                                (dir / "journal.sqlite").string(),
                                "--work-dir",
                                (dir / "work").string(),
                                "--json"};
  args.insert(args.end(), sources.begin(), sources.end());
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  options.timeout = std::chrono::seconds(300);
  return mavi::test::run(args, options);
}

json stored(const mavi::test::SandboxProcess& sandbox) {
  const RunResult r = mavi::test::run(
      {"curl", "-sS", "-H", "Authorization: " + kKey, sandbox.url() + "/sandbox/videos"});
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out).at("videos");
}

std::string sha256_of(const fs::path& file) {
  const RunResult r = mavi::test::run({"sha256sum", file.string()});
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, 64);
}

const json& file_for(const json& report, const std::string& source) {
  for (const auto& f : report.at("files")) {
    if (f.at("path") == source)
      return f;
  }
  FAIL("no report for " << source);
  throw std::logic_error("unreachable");
}

// No download or prepared file stays in the work folder once the batch is done.
void expect_work_folder_empty(const fs::path& work) {
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(work, ec)) {
    INFO(entry.path());
    CHECK_FALSE(entry.is_regular_file());
  }
}

}  // namespace

TEST_CASE("mavi-check reads a server that knows no ranges") {
  const mavi::test::PlainFileServer server(fixtures());
  const std::vector<std::string> names = {"h264_aac.mp4", "mpeg4_mp3.avi", "h264_aac.ts"};
  std::vector<std::string> argv{mavi::test::program("mavi-check").string(), "--json"};
  for (const auto& name : names)
    argv.push_back(server.url(name));
  const RunResult r = mavi::test::run(argv);
  INFO(r.err);
  const json report = json::parse(r.out);
  REQUIRE(report["files"].size() == 3);
  CHECK(report["files"][0]["verdict"] == "ok");
  CHECK(report["files"][1]["action"] == "transcode");
  CHECK(report["files"][2]["action"] == "remux");
  CHECK(server.requests() >= 3);
}

TEST_CASE("v1: an acceptable remote video is handed to MAVI by its URL") {
  mavi::test::TempDir dir;
  const mavi::test::RangeFileServer server(fixtures());
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0", "--admin", "--quiet"});
  const std::string url = server.url("h264_aac.mp4") + "?sig=abc";
  const RunResult r = prepare_and_upload(sandbox, dir.path(), "v1", {url});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 1);
  const json& file = file_for(report, url);
  CHECK(file["action"] == "none");
  CHECK(file["upload"]["by_url"] == true);
  // The request carried a form with the URL, not the video (14 KB and more).
  CHECK(file["upload"]["bytes_sent"].get<long long>() <
        static_cast<long long>(fs::file_size(mavi::test::fixture("h264_aac.mp4"))) / 4);
  const json videos = stored(sandbox);
  REQUIRE(videos.size() == 1);
  CHECK(videos[0]["sourceUrl"] == url);
  CHECK(videos[0]["videoName"] == "h264_aac.mp4");
  CHECK(videos[0]["sha256"] == sha256_of(mavi::test::fixture("h264_aac.mp4")));

  // The journal knows the URL: a re-run uploads nothing again.
  const RunResult again = prepare_and_upload(sandbox, dir.path(), "v1", {url});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(json::parse(again.out)["summary"]["uploaded_earlier"] == 1);
  CHECK(stored(sandbox).size() == 1);
}

TEST_CASE("a fixable remote video is downloaded, prepared and uploaded") {
  mavi::test::TempDir dir;
  const mavi::test::RangeFileServer ranges(fixtures());
  const mavi::test::PlainFileServer plain(fixtures());
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0", "--admin", "--quiet"});
  const std::string transcode = plain.url("mpeg4_mp3.avi");  // no range support
  const std::string remux = ranges.url("h264_aac.ts");
  const RunResult r = prepare_and_upload(sandbox, dir.path(), "v1", {transcode, remux});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 2);
  CHECK(file_for(report, transcode)["action"] == "transcode");
  CHECK(file_for(report, remux)["action"] == "remux");
  CHECK_FALSE(file_for(report, transcode)["upload"].contains("by_url"));
  const json videos = stored(sandbox);
  REQUIRE(videos.size() == 2);
  for (const auto& video : videos) {
    INFO(video.dump());
    CHECK(video["sourceUrl"] == "");
    CHECK(video["accepted"] == true);  // the sandbox's own check of the stored bytes
    const std::string name = video["videoName"];
    CHECK((name == "mpeg4_mp3.mp4" || name == "h264_aac.mp4"));
    // What MAVI got is a conforming MP4 that decodes.
    const RunResult check = mavi::test::run(
        {mavi::test::program("mavi-check").string(), "--deep", video["storedPath"]});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
  }
  expect_work_folder_empty(dir / "work");
}

TEST_CASE("classic takes no URL: an acceptable remote video is sent as a file") {
  mavi::test::TempDir dir;
  const mavi::test::PlainFileServer server(fixtures());
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0", "--admin", "--quiet"});
  const std::string url = server.url("h264_aac.mp4");
  const RunResult r = prepare_and_upload(sandbox, dir.path(), "classic", {url});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 1);
  CHECK(file_for(report, url)["action"] == "none");
  const json videos = stored(sandbox);
  REQUIRE(videos.size() == 1);
  CHECK(videos[0]["videoName"] == "h264_aac.mp4");
  CHECK(videos[0]["sourceUrl"] == "");
  CHECK(videos[0]["sha256"] == sha256_of(mavi::test::fixture("h264_aac.mp4")));  // as it is
  expect_work_folder_empty(dir / "work");
}

TEST_CASE("a remote source that is gone is reported, and nothing is uploaded") {
  mavi::test::TempDir dir;
  const mavi::test::RangeFileServer server(fixtures());
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--admin", "--quiet"});
  const std::string url = server.url("no-such-clip.mp4");
  const RunResult r = prepare_and_upload(sandbox, dir.path(), "v1", {url});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // a rejected file (docs/exit-codes.md)
  const json report = json::parse(r.out);
  const json& file = file_for(report, url);
  CHECK(file["status"] == "rejected");
  CHECK(file["error"].get<std::string>().find("404") != std::string::npos);
  CHECK(stored(sandbox).empty());
}

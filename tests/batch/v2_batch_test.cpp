// The v2 generation (assets) against mavi-sandbox on 127.0.0.1: uploads through signed URLs to
// the sandbox's storage (which refuses any Authorization header, so a pass also shows the key
// never went there), --wait to SUCCESS and FAILED, an expired URL renewed, a lost storage
// answer settled by the asset's metadata, v2's HTTP 400 rate limiting, and WebM kept as it is.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "mavi/fingerprint.hpp"
#include "mavi/journal.hpp"
#include "mavi/upload.hpp"
#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using nlohmann::json;

const std::string kKey = "v2-key";

RunResult batch(const mavi::test::SandboxProcess& sandbox, const fs::path& dir,
                std::vector<std::string> extra) {
  std::vector<std::string> args{mavi::test::program("mavi-prepare-and-upload").string(),
                                "--api",
                                "v2",
                                "--base-url",
                                sandbox.url(),
                                "--journal",
                                (dir / "journal.sqlite").string(),
                                "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back((dir / "in").string());
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  return mavi::test::run(args, options);
}

json admin(const mavi::test::SandboxProcess& sandbox) {
  const RunResult r = mavi::test::run(
      {"curl", "-sS", "-H", "Authorization: " + kKey, sandbox.url() + "/sandbox/videos"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// sha256 -> how many assets hold those bytes (empty reservations left out).
std::map<std::string, int> stored(const mavi::test::SandboxProcess& sandbox) {
  std::map<std::string, int> times;
  const json videos = admin(sandbox);
  for (const auto& v : videos.at("videos")) {
    CHECK(v.at("api") == "v2");
    if (v.at("sizeBytes").get<long long>() > 0)
      ++times[v.at("sha256").get<std::string>()];
  }
  return times;
}

void expect_each_once(const mavi::test::SandboxProcess& sandbox, std::size_t count) {
  const auto times = stored(sandbox);
  CHECK(times.size() == count);
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

// What a crash during a v2 upload leaves: the file in the asset MAVI reserved for it, and its
// journal record `uploading` with that asset (journalled, as the batch does, before any byte
// was sent). Returns the asset_id.
std::string crash_mid_upload(const mavi::test::SandboxProcess& sandbox,
                             const fs::path& journal_path, const fs::path& file) {
  const mavi::HttpGlobal http;
  mavi::ClientConfig config;
  config.base_url = sandbox.url();
  config.api_key = kKey;
  config.api = mavi::ApiGeneration::v2;
  config.upload_route = mavi::UploadRoute::signed_url;
  config.uploads_per_minute = 0;
  const mavi::Client client(config);
  mavi::Journal journal(journal_path);
  const mavi::JournalRecord record =
      journal.open_record(mavi::fingerprint(file), file, sandbox.url());
  journal.record_upload_started(record.id, file);
  mavi::UploadOptions options;
  options.on_asset_reserved = [&](const std::string& asset_id) {
    journal.record_asset_reserved(record.id, asset_id);
  };
  const std::string asset_id = client.upload(file, options).video.asset_id;
  REQUIRE(journal.get(record.id).video.asset_id == asset_id);
  return asset_id;
}

}  // namespace

TEST_CASE("v2: an upload cut short by a crash is found by its asset", "[batch][v2]") {
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 3);
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0", "--admin", "--quiet"});
  const fs::path journal = dir / "journal.sqlite";
  const std::string kept = crash_mid_upload(sandbox, journal, dir / "in" / "clip0.mp4");
  // Another crash, and then that file's input vanished: no file of the re-run has its content.
  const fs::path gone = dir / "in" / "clip1.mp4";
  const std::string vanished = crash_mid_upload(sandbox, journal, gone);
  fs::rename(gone, dir / "elsewhere.mp4");

  const RunResult r = batch(sandbox, dir.path(), {"--upload-via", "signed-url"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 2);  // clip0 found by its asset, clip2 sent
  const json* clip0 = file_named(report, "clip0.mp4");
  REQUIRE(clip0);
  CHECK((*clip0)["upload"]["recovered_by_lookup"] == true);
  CHECK((*clip0)["upload"]["videoNo"] == kept);
  const json& interrupted = report["summary"]["interrupted_uploads"];
  REQUIRE(interrupted.size() == 1);
  CHECK(interrupted[0]["path"] == gone.string());
  CHECK(interrupted[0]["videoNo"] == vanished);
  expect_each_once(sandbox, 3);

  // The journal keeps each asset next to its videoNo.
  mavi::JournalOptions read_only;
  read_only.read_only = true;
  mavi::Journal reopened(journal, read_only);
  int with_asset = 0;
  for (const mavi::JournalRecord& record : reopened.records()) {
    INFO(record.path);
    CHECK(record.video.asset_id == record.video.video_no);
    with_asset += record.video.asset_id.rfind("re_", 0) == 0;
  }
  CHECK(with_asset == 3);
}

TEST_CASE("v2: signed URLs, --wait to SUCCESS and FAILED", "[batch][v2]") {
  mavi::test::TempDir dir;
  copy_fixture("h264_aac.mp4", dir / "in" / "with_audio.mp4");
  copy_fixture("h264_noaudio.mp4", dir / "in" / "silent.mp4");
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0.3", "--require-audio", "--admin", "--quiet"});
  const RunResult r =
      batch(sandbox, dir.path(), {"--upload-via", "signed-url", "--wait", "--wait-timeout", "10m"});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // a video MAVI could not process is a failure
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 2);
  CHECK(report["summary"]["processing_failed"] == 1);
  CHECK(report["summary"]["parsed"] == 1);
  const json* silent = file_named(report, "silent.mp4");
  REQUIRE(silent);
  CHECK((*silent)["upload"]["videoStatus"] == "FAILED");
  CHECK((*silent)["upload"]["videoNo"].get<std::string>().rfind("re_", 0) == 0);
  const json* loud = file_named(report, "with_audio.mp4");
  REQUIRE(loud);
  CHECK((*loud)["upload"]["videoStatus"] == "SUCCESS");
  CHECK((*loud)["upload"]["processing"] == "ready");
  expect_each_once(sandbox, 2);
  CHECK(r.err.find(kKey) == std::string::npos);
}

TEST_CASE("v2: an expired signed URL is renewed", "[batch][v2]") {
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 3);
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--callback-delay", "0", "--admin",
                                      "--expired-signed-urls", "2", "--quiet"});
  const RunResult r = batch(sandbox, dir.path(), {"--upload-via", "signed-url"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 3);
  expect_each_once(sandbox, 3);
}

TEST_CASE("v2: a lost storage answer is settled by metadata", "[batch][v2]") {
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 3);
  // Every upload is stored, then its connection closed without an answer.
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0", "--admin", "--lost-reply-rate", "1", "--quiet"});
  const RunResult r = batch(sandbox, dir.path(), {"--upload-via", "signed-url"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 3);
  for (const auto& f : report.at("files"))
    CHECK(f["upload"]["recovered_by_lookup"] == true);
  expect_each_once(sandbox, 3);
}

TEST_CASE("v2: HTTP 400 rate limiting fails no file", "[batch][v2]") {
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 6);
  // Two uploads per 2 s, answered as v2 does: HTTP 400 "Request has exceeded the limit.".
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--callback-delay", "0", "--admin",
                                      "--rate-limit", "2", "--rate-window", "2s", "--quiet"});
  const RunResult r =
      batch(sandbox, dir.path(),
            {"--upload-via", "direct", "--uploads-per-minute", "600", "--retries", "0"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  CHECK(report["summary"]["uploaded"] == 6);
  const RunResult stats = mavi::test::run(
      {"curl", "-sS", "-H", "Authorization: " + kKey, sandbox.url() + "/sandbox/stats"});
  REQUIRE(stats.exit_code == 0);
  CHECK(json::parse(stats.out)["rate_limited"]["upload"].get<int>() > 0);
  expect_each_once(sandbox, 6);
}

TEST_CASE("v2 keeps a WebM that v1 remuxes", "[batch][v2]") {
  mavi::test::TempDir dir;
  copy_fixture("vp9_opus.webm", dir / "in" / "clip.webm");
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--callback-delay", "0", "--admin", "--quiet"});
  const RunResult r = batch(sandbox, dir.path(), {"--wait", "--wait-timeout", "5m"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  const json* clip = file_named(report, "clip.webm");
  REQUIRE(clip);
  CHECK((*clip)["action"] == "none");
  CHECK((*clip)["upload"]["videoStatus"] == "SUCCESS");
  const json videos = admin(sandbox).at("videos");
  REQUIRE(videos.size() == 1);
  CHECK(videos[0]["videoName"] == "clip.webm");

  const RunResult v1 = mavi::test::run({mavi::test::program("mavi-prepare-and-upload").string(),
                                        "--api", "v1", "--json", "--no-upload", "-o",
                                        (dir / "out").string(), (dir / "in").string()});
  INFO(v1.err);
  REQUIRE(v1.exit_code == 0);
  const json v1_report = json::parse(v1.out);
  const json* remuxed = file_named(v1_report, "clip.webm");
  REQUIRE(remuxed);
  CHECK((*remuxed)["action"] == "remux");
}

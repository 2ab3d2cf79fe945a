// Clean-up against mavi-sandbox on 127.0.0.1, for classic, v1 and v2: the extra copies --force
// uploads make are listed by --delete-duplicates --dry-run, removed by --delete-duplicates
// (the sandbox then holds every content once) and not offered again; --delete sends only ids
// the journal knows; Client::delete_videos splits ids into the documented 500, 100 and 1.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mavi/upload.hpp"
#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using mavi::test::SandboxProcess;
using nlohmann::json;

const std::string kKey = "delete-test-key";

// libcurl's process state for the Client used directly below (none else in this binary).
const mavi::HttpGlobal http_global;

SandboxProcess start_sandbox() {
  return SandboxProcess({"--api-key", kKey, "--callback-delay", "0", "--admin", "--quiet"});
}

// The program with `api`, its journal in `dir`, --json, and `extra` (PATHs included).
RunResult program(const SandboxProcess& sandbox, const fs::path& dir, const std::string& api,
                  std::vector<std::string> extra) {
  std::vector<std::string> args{mavi::test::program("mavi-prepare-and-upload").string(),
                                "--api",
                                api,
                                "--base-url",
                                sandbox.url(),
                                "--journal",
                                (dir / "journal.sqlite").string(),
                                "--uploads-per-minute",
                                "0",
                                "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  const RunResult r = mavi::test::run(args, options);
  CHECK(r.out.find(kKey) == std::string::npos);
  CHECK(r.err.find(kKey) == std::string::npos);
  return r;
}

json admin(const SandboxProcess& sandbox, const std::string& what) {
  const RunResult r = mavi::test::run(
      {"curl", "-sS", "-H", "Authorization: " + kKey, sandbox.url() + "/sandbox/" + what});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// sha256 -> how many stored videos hold those bytes (empty v2 reservations left out).
std::map<std::string, int> stored(const SandboxProcess& sandbox) {
  std::map<std::string, int> times;
  const json listing = admin(sandbox, "videos");  // a named value: the loop reads into it
  for (const auto& v : listing.at("videos")) {
    if (v.at("sizeBytes").get<long long>() > 0)
      ++times[v.at("sha256").get<std::string>()];
  }
  return times;
}

std::set<std::string> stored_video_nos(const SandboxProcess& sandbox) {
  std::set<std::string> out;
  const json listing = admin(sandbox, "videos");  // a named value: the loop reads into it
  for (const auto& v : listing.at("videos"))
    out.insert(v.at("videoNo").get<std::string>());
  return out;
}

// videoNo -> where the sandbox stored its bytes (videos with bytes only).
std::map<std::string, fs::path> stored_paths(const SandboxProcess& sandbox) {
  std::map<std::string, fs::path> out;
  const json listing = admin(sandbox, "videos");  // a named value: the loop reads into it
  for (const auto& v : listing.at("videos")) {
    if (v.at("sizeBytes").get<long long>() > 0)
      out[v.at("videoNo").get<std::string>()] = v.at("storedPath").get<std::string>();
  }
  return out;
}

int delete_requests(const SandboxProcess& sandbox) {
  return admin(sandbox, "stats").at("delete_requests").get<int>();
}

// The videoNos a batch report gives, by file name.
std::map<std::string, std::string> uploaded(const json& report) {
  std::map<std::string, std::string> out;
  for (const auto& f : report.at("files"))
    out[fs::path(f.at("path").get<std::string>()).filename().string()] =
        f.at("upload").at("videoNo").get<std::string>();
  return out;
}

void duplicates_are_cleaned_up(const std::string& api) {
  INFO("--api " << api);
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 2);
  const SandboxProcess sandbox = start_sandbox();
  const std::string in = (dir / "in").string();
  RunResult r = program(sandbox, dir.path(), api, {in});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  r = program(sandbox, dir.path(), api, {"--force", in});
  REQUIRE(r.exit_code == 0);
  const auto current = uploaded(json::parse(r.out));
  REQUIRE(current.size() == 2);
  auto times = stored(sandbox);
  REQUIRE(times.size() == 2);
  for (const auto& [sha, n] : times)
    CHECK(n == 2);

  // A dry run lists the two older copies and sends nothing.
  r = program(sandbox, dir.path(), api, {"--delete-duplicates", "--dry-run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  json report = json::parse(r.out);
  CHECK(report.at("summary").at("would_delete") == 2);
  CHECK(report.at("summary").at("deleted") == 0);
  for (const auto& v : report.at("videos")) {
    CHECK(v.at("status") == "would_delete");
    for (const auto& [name, video_no] : current)
      CHECK(v.at("videoNo") != video_no);  // never the copy a file is recorded under
  }
  CHECK(delete_requests(sandbox) == 0);
  CHECK(stored(sandbox).size() == 2);
  CHECK(admin(sandbox, "videos").at("videos").size() >= 4);

  // The real run deletes exactly those: every content once, the current copies kept.
  const auto paths_before = stored_paths(sandbox);
  r = program(sandbox, dir.path(), api, {"--delete-duplicates"});
  CHECK(r.exit_code == 0);
  report = json::parse(r.out);
  CHECK(report.at("summary").at("deleted") == 2);
  times = stored(sandbox);
  CHECK(times.size() == 2);
  for (const auto& [sha, n] : times)
    CHECK(n == 1);
  const auto left = stored_video_nos(sandbox);
  for (const auto& [name, video_no] : current) {
    INFO(name << " " << video_no);
    CHECK(left.count(video_no) == 1);
  }
  // A deleted video's bytes leave the sandbox's store; the kept ones stay.
  for (const auto& [video_no, path] : paths_before) {
    INFO(video_no << " " << path);
    CHECK(fs::exists(path) == (left.count(video_no) == 1));
  }
  const int requests = delete_requests(sandbox);
  CHECK(requests == (api == "v2" ? 2 : 1));

  // Nothing more to delete, and nothing sent.
  r = program(sandbox, dir.path(), api, {"--delete-duplicates"});
  CHECK(r.exit_code == 0);
  CHECK(json::parse(r.out).at("videos").empty());
  CHECK(delete_requests(sandbox) == requests);
  // A normal re-run still finds both files uploaded.
  r = program(sandbox, dir.path(), api, {in});
  CHECK(r.exit_code == 0);
  CHECK(stored(sandbox).size() == 2);
}

void named_videos_are_deleted(const std::string& api) {
  INFO("--api " << api);
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 2);
  const SandboxProcess sandbox = start_sandbox();
  const std::string in = (dir / "in").string();
  RunResult r = program(sandbox, dir.path(), api, {in});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto videos = uploaded(json::parse(r.out));
  REQUIRE(videos.size() == 2);
  const std::string victim = videos.at("clip0.mp4");

  // An id this journal never uploaded is refused and never sent.
  const std::string stranger = api == "v2" ? "re_999" : "VI999";
  r = program(sandbox, dir.path(), api, {"--delete", stranger});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  json report = json::parse(r.out);
  CHECK(report.at("summary").at("refused") == 1);
  CHECK(report.at("videos").at(0).at("status") == "refused");
  CHECK(delete_requests(sandbox) == 0);

  // A dry run of a known one sends nothing either.
  r = program(sandbox, dir.path(), api, {"--delete", victim, "--dry-run"});
  CHECK(r.exit_code == 0);
  CHECK(json::parse(r.out).at("summary").at("would_delete") == 1);
  CHECK(delete_requests(sandbox) == 0);

  // A known one goes, the other stays; a mix reports the stranger refused (exit 1).
  r = program(sandbox, dir.path(), api, {"--delete", victim, stranger});
  CHECK(r.exit_code == 1);
  report = json::parse(r.out);
  CHECK(report.at("summary").at("deleted") == 1);
  CHECK(report.at("summary").at("refused") == 1);
  const auto left = stored_video_nos(sandbox);
  CHECK(left.count(victim) == 0);
  CHECK(left.count(videos.at("clip1.mp4")) == 1);
  CHECK(delete_requests(sandbox) == 1);

  // Deleting it again is refused: the journal knows it is gone.
  r = program(sandbox, dir.path(), api, {"--delete", victim});
  CHECK(r.exit_code == 1);
  CHECK(delete_requests(sandbox) == 1);

  // Its file is no longer reported uploaded: the next run uploads it again, and only it.
  r = program(sandbox, dir.path(), api, {in});
  CHECK(r.exit_code == 0);
  const auto again = uploaded(json::parse(r.out));
  CHECK(again.at("clip0.mp4") != victim);
  CHECK(again.at("clip1.mp4") == videos.at("clip1.mp4"));
  const auto times = stored(sandbox);
  CHECK(times.size() == 2);
  for (const auto& [sha, n] : times)
    CHECK(n == 1);
}

mavi::Client client_for(const SandboxProcess& sandbox, mavi::ApiGeneration api) {
  mavi::ClientConfig config;
  config.base_url = sandbox.url();
  config.api_key = kKey;
  config.api = api;
  config.lookups_per_second = 0;  // no pacing: the sandbox sets no limit
  config.retry.max_attempts = 1;
  return mavi::Client(config);
}

std::vector<std::string> unknown_ids(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back(prefix + std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("classic: --delete-duplicates keeps each content once", "[batch][delete]") {
  duplicates_are_cleaned_up("classic");
}

TEST_CASE("v1: --delete-duplicates keeps each content once", "[batch][delete]") {
  duplicates_are_cleaned_up("v1");
}

TEST_CASE("v2: --delete-duplicates keeps each content once", "[batch][delete]") {
  duplicates_are_cleaned_up("v2");
}

TEST_CASE("classic: --delete sends only journal-known ids", "[batch][delete]") {
  named_videos_are_deleted("classic");
}

TEST_CASE("v1: --delete sends only journal-known ids", "[batch][delete]") {
  named_videos_are_deleted("v1");
}

TEST_CASE("v2: --delete sends only journal-known ids", "[batch][delete]") {
  named_videos_are_deleted("v2");
}

TEST_CASE("delete_videos: 500, 100 and 1 ids a request", "[batch][delete]") {
  const SandboxProcess sandbox = start_sandbox();
  // Ids the sandbox does not hold: classic and v1 pass them over, v2 refuses each.
  auto outcomes =
      client_for(sandbox, mavi::ApiGeneration::classic).delete_videos(unknown_ids("VI", 1001));
  CHECK(outcomes.size() == 1001);
  CHECK(delete_requests(sandbox) == 3);
  for (const auto& o : outcomes)
    CHECK(o.deleted);
  outcomes = client_for(sandbox, mavi::ApiGeneration::v1).delete_videos(unknown_ids("VI", 201));
  CHECK(outcomes.size() == 201);
  CHECK(delete_requests(sandbox) == 6);
  outcomes = client_for(sandbox, mavi::ApiGeneration::v2).delete_videos(unknown_ids("re_", 3));
  REQUIRE(outcomes.size() == 3);
  CHECK(delete_requests(sandbox) == 9);
  for (const auto& o : outcomes) {
    CHECK(!o.deleted);
    CHECK(o.error.find("Resource does not exist") != std::string::npos);
    CHECK(o.error.find(kKey) == std::string::npos);
  }
}

TEST_CASE("sandbox: more than 500 or 100 ids is an error answer", "[batch][delete]") {
  const SandboxProcess sandbox = start_sandbox();
  auto send = [&](const std::string& method, const std::string& path, int n) {
    const RunResult r =
        mavi::test::run({"curl", "-sS", "-X", method, "-H", "Authorization: " + kKey, "-H",
                         "Content-Type: application/json", "--data",
                         json(unknown_ids("VI", n)).dump(), sandbox.url() + path});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out).at("code").get<std::string>();
  };
  CHECK(send("DELETE", "/api/serve/video/delete", 500) == "0000");
  CHECK(send("DELETE", "/api/serve/video/delete", 501) != "0000");
  CHECK(send("POST", "/serve/api/v1/delete_videos?unique_id=default", 100) == "0000");
  CHECK(send("POST", "/serve/api/v1/delete_videos?unique_id=default", 101) != "0000");
}

// The journal is the batch's memory, so it is guarded: one run at a time, a journal removed
// during a run stops it at once, a read-only journal stops it before any work, a corrupt one
// is a clear error for --report. Against mavi-sandbox on 127.0.0.1; each valid file must end
// on the server exactly once.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mavi/fingerprint.hpp"
#include "mavi/journal.hpp"
#include "mavi/upload.hpp"
#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"
#include "support/skip.hpp"
#include "support/stored_videos.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using mavi::test::SandboxProcess;
using mavi::test::TempDir;
using nlohmann::json;

const std::string kKey = "sk-GUARD-1";

std::string tool() {
  return mavi::test::program("mavi-prepare-and-upload").string();
}

void expect_each_once(const SandboxProcess& sandbox, int count) {
  mavi::test::expect_each_once(sandbox, kKey, count);
}

mavi::test::RunOptions with_key() {
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  options.timeout = std::chrono::seconds(300);
  return options;
}

// A batch over `in` on `journal_path` against the sandbox, unpaced, with the JSON report.
RunResult batch_json(const SandboxProcess& sandbox, const fs::path& journal_path,
                     const fs::path& in, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{tool(), "--base-url", sandbox.url(), "--uploads-per-minute",
                                "0",    "--json",     "--journal",   journal_path.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(in.string());
  return mavi::test::run(args, with_key());
}

// What a crash mid-upload leaves: `file` on MAVI, its journal record `uploading` with the size
// sent, as the batch records it. Returns MAVI's answer.
mavi::UploadResult crash_mid_upload(const SandboxProcess& sandbox, const fs::path& journal_path,
                                    const fs::path& file,
                                    mavi::ApiGeneration api = mavi::ApiGeneration::classic) {
  const mavi::HttpGlobal http;
  mavi::ClientConfig config;
  config.base_url = sandbox.url();
  config.api_key = kKey;
  config.api = api;
  config.uploads_per_minute = 0;
  const mavi::Client client(config);
  mavi::Journal journal(journal_path);
  const mavi::JournalRecord record =
      journal.open_record(mavi::fingerprint(file), file, sandbox.url());
  journal.record_upload_started(record.id, file, fs::file_size(file));
  REQUIRE(journal.get(record.id).upload_bytes == fs::file_size(file));
  return client.upload(file);
}

}  // namespace

TEST_CASE("two runs on one journal at once: the second refuses naming the first, or waits",
          "[batch][journal]") {
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 6);
  // Each answer takes 0.4 s: the first run is still going when the second starts.
  SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--latency", "0.4"});
  const fs::path journal = dir / "journal.sqlite";
  const std::string batch = "'" + tool() + "' --base-url " + sandbox.url() +
                            " --uploads-per-minute 0 --journal '" + journal.string() + "' '" +
                            (dir / "in").string() + "'";
  // The first in the background; the second once the first holds the journal.
  const std::string script =
      batch +
      " > first.out 2> first.err & first=$!\n"
      "until [ -s '" +
      journal.string() + ".lock' ]; do sleep 0.05; done\n" + batch +
      " > second.out 2> second.err; echo $? > second.status\n" + batch +
      " --wait-for-journal 2m > third.out 2> third.err; echo $? > third.status\n"
      "wait $first; echo $? > first.status\n"
      "echo $first > first.pid\n";
  mavi::test::RunOptions options = with_key();
  const RunResult r = mavi::test::run(
      {"bash", "-c", "cd '" + dir.path().string() + "' || exit 1\n" + script}, options);
  REQUIRE(r.exit_code == 0);
  const auto read = [&](const std::string& name) {
    std::ifstream in(dir / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  INFO("first: " << read("first.err") << "\nsecond: " << read("second.err")
                 << "\nthird: " << read("third.err"));
  CHECK(read("first.status") == "0\n");
  CHECK(read("second.status") == "75\n");
  const std::string pid = read("first.pid");
  CHECK(read("second.err")
            .find("is in use by another run (PID " + pid.substr(0, pid.size() - 1) + ")") !=
        std::string::npos);
  CHECK(read("second.err").find(journal.string()) != std::string::npos);
  // The third waited for the first and found everything done.
  INFO("first out: " << read("first.out") << "\nthird out: " << read("third.out"));
  CHECK(read("third.status") == "0\n");
  CHECK(read("third.out").find("6 files: 0 uploaded, 6 uploaded earlier") != std::string::npos);
  expect_each_once(sandbox, 6);
}

TEST_CASE("a journal removed during a run stops it at once, naming the journal",
          "[batch][journal]") {
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 8);
  SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--latency", "0.3"});
  const fs::path state = dir / "state";
  const fs::path journal = state / "journal.sqlite";
  // The journal's folder goes away after the first upload is answered.
  const std::string script =
      "'" + tool() + "' --base-url " + sandbox.url() + " --uploads-per-minute 0 --json-lines " +
      "--journal '" + journal.string() + "' '" + (dir / "in").string() +
      "' > events.jsonl 2> run.err & run=$!\n"
      "until grep -q '\"event\":\"uploaded\"' events.jsonl 2>/dev/null; do sleep 0.05; done\n"
      "rm -rf '" +
      state.string() +
      "'\n"
      "wait $run; echo $? > run.status\n";
  const RunResult r = mavi::test::run(
      {"bash", "-c", "cd '" + dir.path().string() + "' || exit 1\n" + script}, with_key());
  REQUIRE(r.exit_code == 0);
  std::ifstream status(dir / "run.status"), err(dir / "run.err");
  const std::string code(std::istreambuf_iterator<char>(status), {});
  const std::string message(std::istreambuf_iterator<char>(err), {});
  INFO(message);
  CHECK(code == "74\n");
  CHECK(message.find("the journal " + journal.string() + " was") != std::string::npos);
  // Stopped at once: not every file went up.
  const auto names = mavi::test::stored_videos(sandbox, kKey);
  CHECK(names.size() < 8);
  for (const auto& [name, times] : names)
    CHECK(times == 1);
}

TEST_CASE("a read-only journal stops the batch before any work", "[batch][journal]") {
  if (::geteuid() == 0 && !mavi::test::on_path("setpriv"))
    MAVI_SKIP("running as root without setpriv: permissions cannot make a file read-only");
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 3);
  SandboxProcess sandbox({"--quiet", "--api-key", kKey});
  const fs::path journal = dir / "journal.sqlite";
  // A first run writes the journal (one file of three); then it is made read-only.
  const RunResult first =
      mavi::test::run({tool(), "--base-url", sandbox.url(), "--uploads-per-minute", "0", "-q",
                       "--journal", journal.string(), (dir / "in" / "clip0.mp4").string()},
                      with_key());
  REQUIRE(first.exit_code == 0);
  ::chmod(dir.path().c_str(), 0555);
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.is_regular_file())
      ::chmod(entry.path().c_str(), 0444);
  }
  ::chmod((dir / "in").c_str(), 0555);
  std::vector<std::string> argv{tool(), "--base-url", sandbox.url(),    "--uploads-per-minute",
                                "0",    "--journal",  journal.string(), (dir / "in").string()};
  if (::geteuid() == 0) {  // root writes anything: run as nobody
    argv.insert(argv.begin(),
                {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  }
  const RunResult r = mavi::test::run(argv, with_key());
  ::chmod(dir.path().c_str(), 0755);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(journal.string()) != std::string::npos);
  CHECK(r.out.find("clip") == std::string::npos);  // no file was even started
  CHECK(mavi::test::stored_videos(sandbox, kKey).size() == 1);
}

TEST_CASE("a corrupt journal: the report and a batch exit 1 with the journal's path",
          "[batch][journal]") {
  TempDir dir;
  const fs::path journal = dir / "journal.sqlite";
  {
    std::ofstream(journal) << "this is not an SQLite database, but it has enough bytes to look "
                              "like a file that was one once, before something wrote over it\n";
  }
  const RunResult r = mavi::test::run({tool(), "--journal", journal.string(), "--report"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("mavi-prepare-and-upload: journal " + journal.string()) != std::string::npos);
  // And a batch on it stops before any work, the same way.
  const RunResult batch =
      mavi::test::run({tool(), "--no-upload", "-o", (dir / "out").string(), "--journal",
                       journal.string(), mavi::test::fixture("h264_aac.ts").string()});
  CHECK(batch.exit_code == 1);
  CHECK(batch.err.find(journal.string()) != std::string::npos);
}

TEST_CASE("an upload interrupted by a crash whose input then vanished is found and recorded",
          "[batch][journal]") {
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 3);
  SandboxProcess sandbox({"--quiet", "--api-key", kKey});
  const fs::path journal_path = dir / "journal.sqlite";
  const fs::path gone = dir / "in" / "clip0.mp4";
  const std::string video_no = crash_mid_upload(sandbox, journal_path, gone).video.video_no;
  fs::remove(gone);

  const RunResult r = batch_json(sandbox, journal_path, dir / "in");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const json summary = json::parse(r.out)["summary"];
  REQUIRE(summary["interrupted_uploads"].size() == 1);
  CHECK(summary["interrupted_uploads"][0]["path"] == gone.string());
  CHECK(summary["interrupted_uploads"][0]["videoNo"] == video_no);
  expect_each_once(sandbox, 3);

  // On record now: a re-run has nothing more to say about it.
  const RunResult again = batch_json(sandbox, journal_path, dir / "in");
  CHECK(json::parse(again.out)["summary"]["interrupted_uploads"].empty());
}

TEST_CASE("a crashed v1 upload whose input vanished is found by size, though renamed",
          "[batch][journal]") {
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 2);
  // MAVI names v1 videos itself (a hash): only the size recorded at the start can find it.
  SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--rename-videos", "hash"});
  const fs::path journal_path = dir / "journal.sqlite";
  const fs::path gone = dir / "in" / "clip0.mp4";
  const mavi::UploadResult sent =
      crash_mid_upload(sandbox, journal_path, gone, mavi::ApiGeneration::v1);
  REQUIRE(sent.video.video_name != "clip0.mp4");  // renamed by the server
  const std::string video_no = sent.video.video_no;
  fs::remove(gone);

  const RunResult r = batch_json(sandbox, journal_path, dir / "in", {"--api", "v1"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const json summary = json::parse(r.out)["summary"];
  CHECK(summary["uploaded"] == 1);  // clip1.mp4
  REQUIRE(summary["interrupted_uploads"].size() == 1);
  CHECK(summary["interrupted_uploads"][0]["videoNo"] == video_no);
}

TEST_CASE(
    "an upload interrupted by a crash whose input then changed: the old video is recorded, "
    "the new content uploaded once",
    "[batch][journal]") {
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 2);
  SandboxProcess sandbox({"--quiet", "--api-key", kKey});
  const fs::path journal_path = dir / "journal.sqlite";
  const fs::path changed = dir / "in" / "clip0.mp4";
  const std::string old_video = crash_mid_upload(sandbox, journal_path, changed).video.video_no;
  // Another clip under the same name: other content.
  mavi::test::make_distinct_clips(dir / "other", 3);
  fs::copy_file(dir / "other" / "clip2.mp4", changed, fs::copy_options::overwrite_existing);

  const RunResult r = batch_json(sandbox, journal_path, dir / "in");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const json report = json::parse(r.out);
  REQUIRE(report["summary"]["interrupted_uploads"].size() == 1);
  CHECK(report["summary"]["interrupted_uploads"][0]["videoNo"] == old_video);
  CHECK(report["summary"]["uploaded"] == 2);  // the new clip0.mp4 and clip1.mp4
  const auto names = mavi::test::stored_videos(sandbox, kKey);
  CHECK(names.at("clip0.mp4") == 2);  // the old content and the new, each once
  CHECK(names.at("clip1.mp4") == 1);
}

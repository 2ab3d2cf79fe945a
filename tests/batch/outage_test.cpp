// An outage pauses the batch, not the file: uploads wait while MAVI does not answer, resume
// when it does, and stop cleanly (exit 69, the rest pending) after --outage-timeout. The
// sandbox stages the outage itself (--outage-after, --outage-seconds, --outage-mode), so the
// whole of it runs over 127.0.0.1; every valid file must end on the server exactly once.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"
#include "support/stored_videos.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using mavi::test::SandboxProcess;
using mavi::test::TempDir;
using nlohmann::json;

const std::string kKey = "sk-OUTAGE-1";

std::vector<std::string> batch_command(const SandboxProcess& sandbox, const fs::path& dir,
                                       std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {mavi::test::program("mavi-prepare-and-upload").string(),
                                   "--base-url",
                                   sandbox.url(),
                                   "--uploads-per-minute",
                                   "0",
                                   "--retries",
                                   "2",
                                   "--journal",
                                   (dir / "journal.sqlite").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back((dir / "in").string());
  return argv;
}

RunResult run_batch(const SandboxProcess& sandbox, const fs::path& dir,
                    std::vector<std::string> extra = {}) {
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  return mavi::test::run(batch_command(sandbox, dir, std::move(extra)), options);
}

json report(const fs::path& dir) {
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  const RunResult r =
      mavi::test::run({mavi::test::program("mavi-prepare-and-upload").string(), "--report",
                       "--json", "--journal", (dir / "journal.sqlite").string()},
                      options);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty())
      lines.push_back(json::parse(line));
  }
  return lines;
}

std::size_t count_events(const std::vector<json>& lines, const std::string& name) {
  std::size_t n = 0;
  for (const auto& line : lines)
    n += line.value("event", "") == name ? 1 : 0;
  return n;
}

// A batch of the `files` clips in `dir`/in through the outage `sandbox` stages: what every such
// run must show (one outage seen and over, no file failed, each file stored once). Returns its
// --json-lines.
std::vector<json> through_outage(const SandboxProcess& sandbox, const TempDir& dir, int files) {
  const RunResult r = run_batch(sandbox, dir.path(), {"--json-lines"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const std::vector<json> lines = json_lines(r.out);
  CHECK(count_events(lines, "service_unavailable") == 1);
  CHECK(count_events(lines, "service_restored") == 1);
  CHECK(count_events(lines, "failed") == 0);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back()["event"] == "summary");
  CHECK(lines.back()["uploaded"] == files);
  REQUIRE(lines.back()["outages"].size() == 1);
  mavi::test::expect_each_once(sandbox, kKey, files);
  return lines;
}

}  // namespace

TEST_CASE("an outage in the middle of a batch: the uploads pause and resume, every file once",
          "[batch][outage]") {
  const std::string mode = GENERATE(std::string("refuse"), std::string("503"));
  INFO("outage mode " << mode);
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 10);
  // Down from 2 s to 7 s: the batch (0.3 s an upload) is in the middle of its files then.
  SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--latency", "0.3", "--outage-after", "2s",
                          "--outage-seconds", "5s", "--outage-mode", mode});

  const std::vector<json> lines = through_outage(sandbox, dir, 10);
  const json& summary = lines.back();
  CHECK(summary["outages"][0]["ended"] == true);
  CHECK(summary["outages"][0]["seconds"].get<double>() > 0);

  // The journal keeps the outage for --report.
  const json journal = report(dir.path());
  REQUIRE(journal["outages"].size() == 1);
  CHECK(journal["outages"][0]["ended"] == true);
  CHECK(journal["outages"][0]["base_url"] == sandbox.url());
}

// The issue's own sizes (30 files, an outage of 60 s, a 503 storm of 30 s): about 3 minutes, so
// hidden from the suite ("[.]") and run by hand: batch_tests "[long]". The suite runs the same
// behaviour at 10 files and 5 s above.
TEST_CASE("30 files through a 60 s outage or a 30 s 503 storm: all in one run, once",
          "[.][long][batch][outage]") {
  const auto [mode, seconds] = GENERATE(std::pair<std::string, std::string>("refuse", "60s"),
                                        std::pair<std::string, std::string>("503", "30s"));
  INFO("outage mode " << mode << " for " << seconds);
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 30);
  SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--latency", "0.3", "--outage-after", "4s",
                          "--outage-seconds", seconds, "--outage-mode", mode});
  const std::vector<json> lines = through_outage(sandbox, dir, 30);
  WARN("outage of " << seconds << " (" << mode << "): seen for "
                    << lines.back()["outages"][0]["seconds"].get<double>() << " s");
}

TEST_CASE("an outage longer than --outage-timeout stops the batch with exit 69, a re-run finishes",
          "[batch][outage]") {
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 6);
  SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--latency", "0.3", "--outage-after", "1s",
                          "--outage-seconds", "12s", "--outage-mode", "503"});

  const RunResult stopped = run_batch(sandbox, dir.path(), {"--json", "--outage-timeout", "2s"});
  INFO(stopped.out << stopped.err);
  CHECK(stopped.exit_code == 69);
  CHECK(stopped.err.find("stopped: MAVI unavailable") != std::string::npos);
  const json first = json::parse(stopped.out);
  CHECK(first["summary"]["failed"] == 0);  // nothing failed: the rest is left pending
  CHECK(first["summary"]["uploaded"].get<int>() < 6);
  REQUIRE(first["summary"]["outages"].size() == 1);
  CHECK(first["summary"]["outages"][0]["ended"] == false);
  const json records = report(dir.path());  // alive for the whole loop
  for (const auto& record : records["files"])
    CHECK(record["state"] != "failed");

  // The same command, the default timeout: it rides out the rest of the outage.
  const RunResult finished = run_batch(sandbox, dir.path(), {"--json"});
  INFO(finished.out << finished.err);
  CHECK(finished.exit_code == 0);
  const json second = json::parse(finished.out);
  CHECK(second["summary"]["uploaded"].get<int>() + first["summary"]["uploaded"].get<int>() == 6);
  mavi::test::expect_each_once(sandbox, kKey, 6);
  // Whether the re-run still met the outage depends on timing; the journal has every one.
  CHECK(report(dir.path())["outages"].size() == 1 + second["summary"]["outages"].size());
}

TEST_CASE("a batch killed during an outage pause, then run again: every file once",
          "[batch][outage]") {
  TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 6);
  SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--latency", "0.3", "--outage-after", "1s",
                          "--outage-seconds", "6s"});
  // In the background until it says the uploads paused, then SIGKILL.
  std::string command;
  for (const auto& arg : batch_command(sandbox, dir.path()))
    command += "'" + arg + "' ";
  const std::string script = "cd '" + dir.path().string() + "' || exit 1\n" + command +
                             " > first.out 2> first.err & pid=$!\n"
                             "for i in $(seq 600); do\n"
                             "  grep -q 'uploads paused' first.err && break; sleep 0.05\n"
                             "done\n"
                             "grep -q 'uploads paused' first.err || exit 3\n"
                             "kill -KILL $pid; wait $pid; echo $?\n";
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  const RunResult killed = mavi::test::run({"bash", "-c", script}, options);
  INFO(killed.out << killed.err);
  REQUIRE(killed.exit_code == 0);
  CHECK(killed.out == "137\n");
  // The pause was on record when the process died, not over.
  const json journal = report(dir.path());
  REQUIRE(journal["outages"].size() == 1);
  CHECK(journal["outages"][0]["ended"] == false);

  const RunResult resumed = run_batch(sandbox, dir.path());
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  mavi::test::expect_each_once(sandbox, kKey, 6);
}

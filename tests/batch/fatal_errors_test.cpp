// Errors no retry can fix stop the batch after the first answer, with one message and a
// documented exit status, and leave the other files for a re-run with the cause fixed.
// Against mavi-sandbox on 127.0.0.1.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using nlohmann::json;

RunResult batch(const mavi::test::SandboxProcess& sandbox, const fs::path& dir,
                const std::string& key) {
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", key}};
  return mavi::test::run({mavi::test::program("mavi-prepare-and-upload").string(), "--base-url",
                          sandbox.url(), "--uploads-per-minute", "0", "--json", "--journal",
                          (dir / "journal.sqlite").string(), (dir / "in").string()},
                         options);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("a key MAVI refuses stops the batch after the first answer, and a good key carries on",
          "[batch][fatal]") {
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 5);
  mavi::test::SandboxProcess sandbox({"--api-key", "the-good-key", "--callback-delay", "0"});

  const RunResult refused = batch(sandbox, dir.path(), "a-revoked-key");
  INFO(refused.err);
  CHECK(refused.exit_code == 77);
  CHECK(count(refused.err, "stopped: ") == 1);
  CHECK(refused.err.find("MAVI refused the API key") != std::string::npos);
  // One upload request reached MAVI; no other file was tried.
  CHECK(count(sandbox.log(), "POST /api/serve/video/upload") == 1);
  const json report = json::parse(refused.out);
  CHECK(report["summary"]["uploaded"] == 0);
  CHECK(report["summary"]["failed"] == 1);  // the file that got the answer, and only it
  CHECK(report["summary"]["not_started"].get<int>() + report["summary"]["cancelled"].get<int>() +
            report["summary"]["failed"].get<int>() ==
        5);

  // The journal left every file pending: the same command with a good key uploads all five.
  const RunResult fixed = batch(sandbox, dir.path(), "the-good-key");
  INFO(fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK(json::parse(fixed.out)["summary"]["uploaded"] == 5);
  CHECK(count(sandbox.log(), "POST /api/serve/video/upload") == 6);
}

TEST_CASE(
    "a key revoked from the 5th upload on, or credits gone after the 3rd: the batch stops "
    "at that answer, the rest pending",
    "[batch][fatal]") {
  struct Case {
    std::string refusal;
    int refuse_after;
    std::string message;
  };
  const Case c = GENERATE(Case{"bad-key", 4, "MAVI refused the API key"},
                          Case{"no-credits", 3, "the MAVI account has no credits left"});
  INFO(c.refusal);
  mavi::test::TempDir dir;
  mavi::test::make_distinct_clips(dir / "in", 8);
  mavi::test::SandboxProcess sandbox({"--api-key", "the-good-key", "--callback-delay", "0",
                                      "--refuse-after", std::to_string(c.refuse_after), "--refusal",
                                      c.refusal});
  const RunResult refused = batch(sandbox, dir.path(), "the-good-key");
  INFO(refused.err);
  CHECK(refused.exit_code == 77);
  CHECK(count(refused.err, "stopped: ") == 1);
  CHECK(refused.err.find(c.message) != std::string::npos);
  // The refused upload was the last one tried.
  CHECK(count(sandbox.log(), "POST /api/serve/video/upload") ==
        static_cast<std::size_t>(c.refuse_after + 1));
  const json report = json::parse(refused.out);
  CHECK(report["summary"]["uploaded"] == c.refuse_after);

  // Nothing failed for good in the journal: the files not uploaded are pending for a re-run.
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", "the-good-key"}};
  const RunResult journal =
      mavi::test::run({mavi::test::program("mavi-prepare-and-upload").string(), "--report",
                       "--json", "--journal", (dir / "journal.sqlite").string()},
                      options);
  INFO(journal.out);
  REQUIRE(journal.exit_code == 0);
  int uploaded = 0;
  const json records = json::parse(journal.out);  // alive for the whole loop
  for (const auto& record : records["files"]) {
    CHECK(record["state"] != "failed");
    uploaded += record["state"] == "uploaded" ? 1 : 0;
  }
  CHECK(uploaded == c.refuse_after);
}

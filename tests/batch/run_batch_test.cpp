// run_batch() called as a library, the way a pipeline would: typed outcomes, one `finished`
// event per file, and a cancel token that stops its own batch only. Uploads go to a real
// mavi-sandbox on 127.0.0.1.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "mavi/batch.hpp"
#include "mavi/journal.hpp"
#include "mavi/upload.hpp"
#include "support/paths.hpp"
#include "support/sandbox_process.hpp"

using namespace mavi;
namespace fs = std::filesystem;

namespace {

const std::string kKey = "sk-RUNBATCH-1";

Client sandbox_client(const test::SandboxProcess& sandbox) {
  ClientConfig config;
  config.base_url = sandbox.url();
  config.api_key = kKey;
  config.uploads_per_minute = 0;
  return Client(config);
}

fs::path copy(const test::TempDir& dir, const std::string& fixture, const std::string& as) {
  fs::create_directories((dir / as).parent_path());
  fs::copy_file(test::fixture(fixture), dir / as);
  return dir / as;
}

}  // namespace

TEST_CASE("run_batch: every file ends with one typed status and one finished event",
          "[batch][library]") {
  const HttpGlobal http;
  test::SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--callback-delay", "0"});
  const Client client = sandbox_client(sandbox);
  test::TempDir dir;
  const std::vector<fs::path> files{
      copy(dir, "h264_aac.mp4", "in/a.mp4"),      // uploaded as it is
      copy(dir, "h264_aac.ts", "in/b.ts"),        // remuxed, uploaded
      copy(dir, "h264_aac.mp4", "in/c.mp4"),      // same content as a.mp4
      copy(dir, "text_renamed.mp4", "in/d.mp4"),  // rejected
      dir / "in" / "missing.mp4",                 // fails: not there
  };
  Journal journal(dir / "journal.sqlite");
  std::mutex mutex;
  std::map<std::size_t, int> finished;
  BatchOptions options;
  options.jobs = 1;  // the duplicate is the later file: deterministic
  options.observer = [&](const BatchEvent& event) {
    if (event.kind == BatchEventKind::finished) {
      std::lock_guard lock(mutex);
      ++finished[event.file.index];
    }
  };
  const BatchResult result = run_batch(files, options, &client, &journal);
  REQUIRE(result.files.size() == files.size());
  CHECK(result.files[0].status == FileStatus::uploaded);
  CHECK(result.files[1].status == FileStatus::uploaded);
  CHECK(result.files[1].action == Action::remux);
  CHECK(result.files[2].status == FileStatus::duplicate);
  REQUIRE(result.files[2].duplicate_of);
  CHECK(*result.files[2].duplicate_of == files[0]);
  CHECK(result.files[3].status == FileStatus::rejected);
  CHECK_FALSE(result.files[3].error_kind);
  CHECK(result.files[4].status == FileStatus::rejected);  // a missing file cannot be checked
  for (std::size_t i = 0; i < files.size(); ++i) {
    INFO("file " << i);
    CHECK(result.files[i].index == i);
    CHECK(finished[i] == 1);
  }

  // Again: the journal knows both uploads.
  const BatchResult again = run_batch(files, options, &client, &journal);
  CHECK(again.files[0].status == FileStatus::uploaded_earlier);
  CHECK(again.files[1].status == FileStatus::uploaded_earlier);
  CHECK(again.files[0].upload->video.video_no == result.files[0].upload->video.video_no);
}

TEST_CASE("run_batch: a cancel token stops its own batch, not another one in the process",
          "[batch][library]") {
  const HttpGlobal http;
  test::SandboxProcess sandbox({"--quiet", "--api-key", kKey, "--callback-delay", "0"});
  const Client client = sandbox_client(sandbox);
  test::TempDir dir;
  std::vector<fs::path> first, second;
  for (int i = 0; i < 6; ++i) {
    first.push_back(copy(dir, "mpeg4_mp3.avi", "one/clip" + std::to_string(i) + ".avi"));
    second.push_back(copy(dir, "h264_aac.ts", "two/clip" + std::to_string(i) + ".ts"));
  }
  BatchOptions stopped;
  stopped.jobs = 1;
  stopped.upload = false;
  stopped.output_dir = dir / "out-one";
  // Cancelled as soon as its first file starts preparing: the rest never start.
  stopped.observer = [&](const BatchEvent& event) {
    if (event.kind == BatchEventKind::preparing)
      stopped.cancel.request();
  };
  BatchOptions goes_on;
  goes_on.jobs = 1;
  goes_on.upload = false;
  goes_on.output_dir = dir / "out-two";

  BatchResult one, two;
  std::thread a([&] { one = run_batch(first, stopped, nullptr, nullptr); });
  std::thread b([&] { two = run_batch(second, goes_on, nullptr, nullptr); });
  a.join();
  b.join();

  CHECK(one.stopped);
  CHECK(one.not_started + one.files.size() == first.size());
  CHECK(one.not_started > 0);
  for (const auto& f : one.files)
    CHECK(f.status == FileStatus::cancelled);
  CHECK_FALSE(two.stopped);
  REQUIRE(two.files.size() == second.size());
  for (const auto& f : two.files)
    CHECK(f.status == FileStatus::prepared);
  // Nothing half-written in the cancelled batch's folder.
  for (const auto& entry : fs::directory_iterator(dir / "out-one"))
    FAIL("left behind: " << entry.path());
}

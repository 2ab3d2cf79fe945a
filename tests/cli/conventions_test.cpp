// One set of conventions across the three programs: messages, numbers, repeated options,
// summaries, help that tells the truth, paths, and a test per documented exit status that no
// other test covers.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using mavi::test::TempDir;
using nlohmann::json;

const std::string kKey = "sk-conventions";

RunResult program(const std::string& name, std::vector<std::string> args,
                  std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), mavi::test::program(name).string());
  mavi::test::RunOptions options;
  options.env = std::move(env);
  options.timeout = std::chrono::seconds(120);
  return mavi::test::run(args, options);
}

RunResult check(std::vector<std::string> args) {
  return program("mavi-check", std::move(args));
}

RunResult prepare(std::vector<std::string> args) {
  return program("mavi-prepare-and-upload", std::move(args), {{"MAVI_API_KEY", kKey}});
}

std::string fx(const std::string& name) {
  return mavi::test::fixture(name).string();
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("every message starts with the program's name, parse errors included",
          "[cli][conventions]") {
  for (const std::string name : {"mavi-check", "mavi-prepare-and-upload", "mavi-sandbox"}) {
    INFO(name);
    const RunResult unknown = program(name, {"--no-such-option"});
    CHECK(unknown.exit_code == 64);
    CHECK(unknown.err.rfind(name + ": ", 0) == 0);
    CHECK(unknown.err.find("--no-such-option") != std::string::npos);
    const RunResult version = program(name, {"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind(name + " 0.", 0) == 0);
  }
  const RunResult extra = program("mavi-sandbox", {"stray-argument"});
  CHECK(extra.exit_code == 64);
  CHECK(extra.err.rfind("mavi-sandbox: The following argument was not expected: stray-argument",
                        0) == 0);
  // Without a PATH, the unknown option is what is reported, not the missing PATH.
  const RunResult both = check({"--bogus"});
  CHECK(both.err.find("--bogus") != std::string::npos);
  // The reason a key file cannot be read.
  const RunResult key = program("mavi-prepare-and-upload",
                                {"--api-key-file", "/nonexistent/key", fx("h264_aac.mp4")});
  CHECK(key.exit_code == 64);
  CHECK(key.err.find("mavi-prepare-and-upload: --api-key-file: cannot read /nonexistent/key: "
                     "No such file or directory") != std::string::npos);
}

TEST_CASE("sizes, durations and repeated options follow one convention", "[cli][conventions]") {
  // 1.5G is 1.5 x 10^9 bytes, KiB and friends powers of 1024.
  const RunResult fractional = check({"--json", "--max-size", "1.5G", fx("h264_aac.mp4")});
  REQUIRE(fractional.exit_code == 0);
  CHECK(json::parse(fractional.out)["rules"]["max_size_bytes"] == 1'500'000'000);
  // A repeated scalar: the last value wins (wrappers append overrides).
  const RunResult repeated =
      check({"--json", "--max-size", "1k", "--max-size", "2GiB", fx("h264_aac.mp4")});
  REQUIRE(repeated.exit_code == 0);
  CHECK(json::parse(repeated.out)["rules"]["max_size_bytes"] == 2147483648ULL);
  // Durations take units; a bound is said in words, never as a 300-digit number.
  CHECK(check({"--deep", "--deep-time-limit", "30s", fx("h264_aac.mp4")}).exit_code == 0);
  CHECK(check({"--deep", "--deep-time-limit", "500ms", fx("h264_aac.mp4")}).exit_code == 0);
  const RunResult too_long = check({"--deep-time-limit", "30d", fx("h264_aac.mp4")});
  CHECK(too_long.exit_code == 64);
  CHECK(too_long.err.find("7 days") != std::string::npos);
  CHECK(too_long.err.size() < 300);
  // Out of range is refused, not clamped; 0 is no size.
  CHECK(check({"--max-size", "0", fx("h264_aac.mp4")}).exit_code == 64);
  CHECK(prepare({"--dry-run", "--max-size", "0", fx("h264_aac.mp4")}).exit_code == 64);
  CHECK(prepare({"--dry-run", "--crf", "52", fx("h264_aac.mp4")}).exit_code == 64);
  CHECK(prepare(
            {"--dry-run", "--wait-timeout", "2m", "--crf", "10", "--crf", "20", fx("h264_aac.mp4")})
            .exit_code == 0);
  // Every size option of every program takes the one syntax (mavi-sandbox's runs with "2M"
  // in terminal_progress_test and pipeline_test).
  CHECK(prepare({"--dry-run", "--api", "v2", "--signed-url-from", "16MiB", fx("h264_aac.mp4")})
            .exit_code == 0);
  for (const auto& [name, option] : std::vector<std::pair<std::string, std::string>>{
           {"mavi-check", "--max-size"},
           {"mavi-prepare-and-upload", "--max-size"},
           {"mavi-prepare-and-upload", "--max-work-bytes"},
           {"mavi-prepare-and-upload", "--signed-url-from"},
           {"mavi-sandbox", "--max-bandwidth"}}) {
    INFO(name << " " << option);
    std::vector<std::string> args{option, "2X"};
    if (name != "mavi-sandbox")
      args.push_back(fx("h264_aac.mp4"));
    const RunResult bad = program(name, args, {{"MAVI_API_KEY", kKey}});
    CHECK(bad.exit_code == 64);
    CHECK(bad.err.find("'2X' is not a size (a number of bytes, with k, M, G, T or KiB, MiB, GiB, "
                       "TiB)") != std::string::npos);
  }
  // -j 0 is one per core in both programs.
  CHECK(check({"-j", "0", fx("h264_aac.mp4")}).exit_code == 0);
  CHECK(prepare({"--dry-run", "-j", "0", fx("h264_aac.mp4")}).exit_code == 0);
}

TEST_CASE("documented exit statuses not covered elsewhere", "[cli][conventions]") {
  // An output folder that cannot be created: 1, with the folder named.
  const RunResult folder = prepare({"--no-upload", "-o", "/proc/nope", fx("h264_aac.ts")});
  CHECK(folder.exit_code == 1);
  CHECK(folder.err.find("/proc/nope") != std::string::npos);
  // --report without a journal: 1.
  TempDir dir;
  const RunResult report = prepare({"--journal", (dir / "none.sqlite").string(), "--report"});
  CHECK(report.exit_code == 1);
  CHECK(report.err.find("no journal") != std::string::npos);
  // The sandbox: 64 for a bad value, 0 for --help.
  CHECK(program("mavi-sandbox", {"--port", "70000"}).exit_code == 64);
  CHECK(program("mavi-sandbox", {"--help"}).exit_code == 0);
  // mavi-check: standard input is not supported, said once, exit 2.
  const RunResult dash = check({"-"});
  CHECK(dash.exit_code == 2);
  CHECK(dash.err.find("standard input is not supported") != std::string::npos);
}

TEST_CASE("summaries add up, use plurals, go to stdout, and print each failure once",
          "[cli][conventions]") {
  TempDir dir;
  const fs::path out = dir / "out";
  const RunResult missing = prepare({"--no-upload", "-o", out.string(), "/nonexistent.mp4"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("1 file: 0 prepared, 1 failed") != std::string::npos);
  CHECK(missing.out.find("uploaded") == std::string::npos);  // no upload talk without uploads
  // A rejected file's reason appears once, with its line.
  const RunResult rejected =
      prepare({"--no-upload", "-o", out.string(), fx("h264_aac.ts"), fx("text_renamed.mp4")});
  CHECK(rejected.exit_code == 1);
  CHECK(rejected.out.find("2 files: 1 prepared, 1 rejected, 0 failed") != std::string::npos);
  CHECK(occurrences(rejected.out + rejected.err, "not a media file") == 1);
  // The same stream as mavi-check's summary: stdout.
  const RunResult checked = check({fx("h264_aac.mp4")});
  CHECK(checked.out.find("1 file: 1 ok") != std::string::npos);
}

TEST_CASE("help and dry runs tell the truth", "[cli][conventions]") {
  for (const std::string name : {"mavi-check", "mavi-prepare-and-upload"}) {
    const RunResult help = program(name, {"--help"});
    const auto strict = help.out.find("--strict");
    REQUIRE(strict != std::string::npos);
    CHECK(help.out.substr(strict, help.out.find('\n', help.out.find('\n', strict) + 1) - strict)
              .find("VFR") == std::string::npos);
  }
  // prepare-and-upload's help has its own exit statuses, not mavi-check's.
  const RunResult help = program("mavi-prepare-and-upload", {"--help"});
  CHECK(help.out.find("need a remux") == std::string::npos);
  CHECK(help.out.find("some file failed or was rejected") != std::string::npos);
  // --require-audio: the rejection does not say MAVI accepts the video.
  const RunResult audio = check({"--require-audio", fx("h264_noaudio.mp4")});
  CHECK(audio.exit_code == 2);
  CHECK(audio.out.find("MAVI accepts the video") == std::string::npos);
  // A dry run without -o names no "./" output and says what a real run would do.
  const RunResult dry = prepare({"--dry-run", fx("h264_aac.mp4"), fx("h264_aac.ts")});
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("./") == std::string::npos);
  CHECK(dry.out.find("(already accepted: uploaded as it is)") != std::string::npos);
  CHECK(dry.out.find("(remux into a private temporary folder, then uploaded)") !=
        std::string::npos);
}

TEST_CASE("a failed upload of a prepared file names the input, not a temporary path",
          "[cli][conventions]") {
  mavi::test::SandboxProcess sandbox({"--quiet", "--api-key", "the-right-key"});
  const RunResult r = prepare({"--base-url", sandbox.url(), "--no-journal", "--uploads-per-minute",
                               "0", "--retries", "0", fx("h264_aac.ts")});
  CHECK(r.exit_code == 77);  // a key MAVI refuses stops the batch
  CHECK(r.out.find("bad_auth") != std::string::npos);
  CHECK(r.out.find("mavi-work-") == std::string::npos);
  CHECK(r.out.find("the prepared copy of " + fx("h264_aac.ts")) != std::string::npos);
}

TEST_CASE("output folders get the umask's mode, the work folder stays private",
          "[cli][conventions]") {
  TempDir dir;
  const fs::path out = dir / "results";
  REQUIRE(prepare({"--no-upload", "-o", out.string(), fx("h264_aac.ts")}).exit_code == 0);
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  const mode_t umask_now = ::umask(022);
  ::umask(umask_now);
  CHECK((st.st_mode & 0777) == (0777 & ~umask_now));
}

TEST_CASE("the sandbox's --quiet silences FFmpeg's messages about what it receives",
          "[cli][conventions]") {
  mavi::test::SandboxProcess sandbox({"--quiet", "--callback-delay", "0"});
  // A truncated MP4: checking it makes FFmpeg complain, unless it is told to be quiet.
  const RunResult sent =
      mavi::test::run({"curl", "-s", "-F", "file=@" + fx("truncated.mp4") + ";type=video/mp4",
                       sandbox.url() + "/api/serve/video/upload"});
  REQUIRE(sent.exit_code == 0);
  CHECK(sent.out.find("\"code\"") != std::string::npos);
  sandbox.stop();
  CHECK(sandbox.log().empty());
}

TEST_CASE("an unreadable folder gets one message", "[cli][conventions]") {
  TempDir dir;
  const fs::path locked = dir / "locked";
  fs::create_directories(locked);
  ::chmod(dir.path().c_str(), 0755);
  ::chmod(locked.c_str(), 0);
  std::vector<std::string> argv{mavi::test::program("mavi-check").string(), locked.string()};
  if (::geteuid() == 0) {
    // root reads any folder: run as nobody.
    if (!mavi::test::on_path("setpriv")) {
      WARN("setpriv missing: cannot drop root to test an unreadable folder");
      return;
    }
    argv.insert(argv.begin(),
                {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  }
  const RunResult r = mavi::test::run(argv);
  ::chmod(locked.c_str(), 0755);
  CHECK(r.exit_code == 2);
  CHECK(occurrences(r.err, locked.string()) == 1);
  CHECK(r.err.find("cannot read folder") != std::string::npos);
}

TEST_CASE("a wait (--wait) that times out names the files still processing", "[cli][conventions]") {
  mavi::test::SandboxProcess sandbox({"--quiet", "--callback-delay", "600"});
  const RunResult r = prepare({"--base-url", sandbox.url(), "--no-journal", "--uploads-per-minute",
                               "0", "--wait", "--wait-timeout", "2s", fx("h264_aac.mp4")});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("1 file: 1 uploaded, 0 failed; MAVI: 0 processed, 0 failed; still processing "
                   "when --wait gave up: " +
                   fx("h264_aac.mp4")) != std::string::npos);
}

// Progress on a terminal: mavi-prepare-and-upload draws its status line (preparation percent,
// speed as a multiple of real time and ETA; upload percent, rate and ETA) only when stderr is a
// terminal, and never with --quiet. The program runs with stderr on a pseudo-terminal.
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace fs = std::filesystem;
using mavi::test::RunOptions;
using mavi::test::RunResult;

namespace {

const std::string kKey = "sk-TERMINAL-KEY-1";

// A clip made with ffmpeg: `codec_args` choose what the check makes of it.
fs::path make_clip(const fs::path& dir, const std::string& name, const std::string& size,
                   int seconds, const std::vector<std::string>& codec_args) {
  const fs::path clip = dir / name;
  std::vector<std::string> argv{"ffmpeg", "-v",
                                "error",  "-y",
                                "-f",     "lavfi",
                                "-i",     "testsrc2=size=" + size + ":rate=25,noise=alls=20:allf=t",
                                "-f",     "lavfi",
                                "-i",     "sine=frequency=440:sample_rate=48000",
                                "-t",     std::to_string(seconds)};
  argv.insert(argv.end(), codec_args.begin(), codec_args.end());
  argv.push_back(clip.string());
  const RunResult made = mavi::test::run(argv);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  return clip;
}

RunResult prepare_tool(std::vector<std::string> args, bool terminal) {
  args.insert(args.begin(), mavi::test::program("mavi-prepare-and-upload").string());
  RunOptions options;
  options.stderr_terminal = terminal;
  options.env["MAVI_API_KEY"] = kKey;
  return mavi::test::run(args, options);
}

}  // namespace

TEST_CASE("on a terminal, preparing shows percent, speed and ETA, but not with --quiet or a pipe",
          "[cli][prepare][terminal]") {
  mavi::test::TempDir dir;
  const fs::path clip = make_clip(dir.path(), "clip.avi", "640x360", 6,
                                  {"-c:v", "mpeg4", "-q:v", "4", "-c:a", "mp2"});
  const std::vector<std::string> args{"--no-upload", "-j",       "1",      "--threads",
                                      "1",           "--preset", "medium", clip.string()};
  auto with_output = [&](const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> all = extra;
    all.insert(all.end(), {"-o", (dir / out).string()});
    all.insert(all.end(), args.begin(), args.end());
    return all;
  };

  const RunResult shown = prepare_tool(with_output("shown"), true);
  INFO("terminal: " << shown.err);
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.err.find("\r\033[K") != std::string::npos);
  CHECK(std::regex_search(shown.err,
                          std::regex(R"(preparing clip\.avi +\d+% [0-9.]+x ETA [0-9-]+:[0-9-]+)")));
  CHECK(std::regex_search(shown.err, std::regex(R"(\[1/1\] 1 prepared)")));
  // The result line goes to stdout, not into the status line.
  CHECK(shown.out.find("prepared") != std::string::npos);
  CHECK(shown.out.find("\r") == std::string::npos);

  const RunResult quiet = prepare_tool(with_output("quiet", {"--quiet"}), true);
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.find("preparing") == std::string::npos);
  CHECK(quiet.err.find('\r') == std::string::npos);

  const RunResult piped = prepare_tool(with_output("piped"), false);
  REQUIRE(piped.exit_code == 0);
  CHECK(piped.err.find("preparing") == std::string::npos);
  CHECK(piped.err.find('\r') == std::string::npos);
}

TEST_CASE("on a terminal, uploading shows percent, rate and ETA", "[cli][upload][terminal]") {
  mavi::test::TempDir dir;
  // About 3 MB of H.264 + AAC in MP4 (acceptable as it is), read by the sandbox at 2 MB/s.
  const fs::path clip =
      make_clip(dir.path(), "clip.mp4", "640x360", 1,
                {"-c:v", "libx264", "-preset", "ultrafast", "-qp", "22", "-c:a", "aac"});
  REQUIRE(fs::file_size(clip) > 1'500'000);
  mavi::test::SandboxProcess sandbox({"--max-bandwidth", "2M", "--quiet"});
  const RunResult r = prepare_tool(
      {"--base-url", sandbox.url(), "--uploads-per-minute", "0", "--no-journal", clip.string()},
      true);
  INFO("terminal: " << r.err << "\nstdout: " << r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_search(
      r.err, std::regex(R"(uploading clip\.mp4 +\d+% [0-9.]+ [KMG]?i?B/s ETA [0-9-]+:[0-9-]+)")));
  CHECK(std::regex_search(r.err, std::regex(R"(\[1/1\] 0 prepared, 1 uploaded)")));
  CHECK(r.out.find("uploaded") != std::string::npos);
  CHECK(r.err.find(kKey) == std::string::npos);
}

TEST_CASE("waiting for an upload slot shows the pace and the batch's ETA",
          "[cli][upload][terminal]") {
  mavi::test::TempDir dir;
  const fs::path in = dir / "in";
  fs::create_directories(in);
  for (int i = 0; i < 3; ++i) {
    make_clip(in, "clip" + std::to_string(i) + ".mp4", "160x90", 1 + i,
              {"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"});
  }
  mavi::test::SandboxProcess sandbox({"--quiet"});
  // 30 a minute: a slot every 2 s, so the second and third files wait for theirs.
  const RunResult r = prepare_tool(
      {"--base-url", sandbox.url(), "--uploads-per-minute", "30", "--no-journal", in.string()},
      true);
  INFO("terminal: " << r.err);
  REQUIRE(r.exit_code == 0);
  // Files not settled yet at the pace in force: 2 (or 1) to go, 2 s each.
  CHECK(std::regex_search(
      r.err, std::regex(R"(next upload slot in \d+ s, 30 a minute, [12] to go, ETA \d+ s)")));
}

// What a new user must never lose: paths after a repeatable option, their own files in the
// output folder, stable output names, a sandbox port, a report that could not be written, and
// which file an upload belongs to. Each case is one bug that once did exactly that.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "net/fake_mavi.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::RunResult;
using mavi::test::TempDir;
using nlohmann::json;

const std::string kKey = "sk-data-safety";

RunResult tool(std::vector<std::string> args, const fs::path& state_home = {}) {
  args.insert(args.begin(), mavi::test::program("mavi-prepare-and-upload").string());
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  if (!state_home.empty())
    options.env["XDG_STATE_HOME"] = state_home.string();
  return mavi::test::run(args, options);
}

fs::path copy_fixture(const TempDir& dir, const std::string& name, const std::string& as) {
  const fs::path to = dir / as;
  fs::create_directories(to.parent_path());
  fs::copy_file(mavi::test::fixture(name), to);
  return to;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::map<std::string, std::string> outputs_by_input(const json& report) {
  std::map<std::string, std::string> names;
  for (const auto& f : report["files"]) {
    if (f["output"].is_string())
      names[fs::path(f["path"].get<std::string>()).filename().string()] =
          fs::path(f["output"].get<std::string>()).filename().string();
  }
  return names;
}

}  // namespace

TEST_CASE("a repeatable option takes one value per occurrence: the paths after it stay paths",
          "[cli][first-use]") {
  TempDir dir;
  const fs::path a = copy_fixture(dir, "h264_aac.mp4", "a.mp4");
  const fs::path b = copy_fixture(dir, "h264_noaudio.mp4", "b.mp4");
  mavi::test::FakeMavi server;
  const RunResult r =
      tool({"--base-url", server.base_url(), "--no-journal", "--json", "--api", "v1", "--tag",
            "holiday", a.string(), "--uploads-per-minute", "0", b.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto uploads = server.uploads();
  REQUIRE(uploads.size() == 2);
  for (const auto& upload : uploads) {
    std::vector<std::string> tags;
    for (const auto& part : upload.parts) {
      if (part.name == "tags")
        tags.push_back(part.value);
    }
    CHECK(tags == std::vector<std::string>{"holiday"});
  }

  const RunResult dry = tool({"--dry-run", "--api", "v1", "--tag", "a", a.string()});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("a.mp4") != std::string::npos);

  // mavi-check's list option, the same way.
  const RunResult check = mavi::test::run({mavi::test::program("mavi-check").string(), "--json",
                                           "--video-codecs", "h264", a.string(), b.string()});
  REQUIRE(check.exit_code == 0);
  CHECK(json::parse(check.out)["files"].size() == 2);
}

TEST_CASE("a v1-only option without --api v1 is refused, naming the option", "[cli][first-use]") {
  TempDir dir;
  const fs::path a = copy_fixture(dir, "h264_aac.mp4", "a.mp4");
  const RunResult r = tool({"--dry-run", "--tag", "x", "--camera-model", "X", a.string()});
  CHECK(r.exit_code == 64);
  CHECK(r.err.find("--tag, --camera-model") != std::string::npos);
  CHECK(r.err.find("--api v1") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE(
    "the output folder never has a file replaced that the batch did not make, and a re-run keeps "
    "each name",
    "[cli][first-use]") {
  TempDir dir;
  const fs::path out = dir / "out";
  fs::create_directories(out);
  const fs::path input = copy_fixture(dir, "h264_aac.ts", "out/clip.ts");
  { std::ofstream(out / "clip.mp4") << "the user's own file"; }
  const fs::path state = dir / "state";
  const RunResult first =
      tool({"--no-upload", "--json", "-o", out.string(), input.string()}, state);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(read_file(out / "clip.mp4") == "the user's own file");
  const json doc = json::parse(first.out);
  REQUIRE(doc["files"].size() == 1);
  CHECK(doc["files"][0]["output"] == (out / "clip-2.mp4").string());
  CHECK(doc["files"][0]["output_note"].get<std::string>().find("clip.mp4 exists") !=
        std::string::npos);
  REQUIRE(fs::file_size(out / "clip-2.mp4") > 1000);

  // The same command again: the journal knows clip-2.mp4 is this input's own output.
  const RunResult again =
      tool({"--no-upload", "--json", "-o", out.string(), input.string()}, state);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(json::parse(again.out)["files"][0]["output"] == (out / "clip-2.mp4").string());
  CHECK_FALSE(fs::exists(out / "clip-3.mp4"));
  CHECK(read_file(out / "clip.mp4") == "the user's own file");

  // --copy-ok: an acceptable file whose name is taken by another file is not replaced either.
  const fs::path ok = copy_fixture(dir, "h264_aac.mp4", "in/keep.mp4");
  { std::ofstream(out / "keep.mp4") << "mine too"; }
  const RunResult copied =
      tool({"--no-upload", "--copy-ok", "--json", "-o", out.string(), ok.string()}, state);
  INFO(copied.err);
  REQUIRE(copied.exit_code == 0);
  CHECK(read_file(out / "keep.mp4") == "mine too");
  CHECK(json::parse(copied.out)["files"][0]["output"] == (out / "keep-2.mp4").string());
}

TEST_CASE("output names depend on the input order only, not on worker timing", "[cli][first-use]") {
  TempDir dir;
  const fs::path in = dir / "in";
  // 20 inputs in 5 groups whose stems collide, so every group competes for one name.
  const std::vector<std::pair<std::string, std::string>> kinds{{"h264_aac.ts", ".ts"},
                                                               {"h264_aac.flv", ".flv"},
                                                               {"h264_aac.mp4", ".mp4"},
                                                               {"h264_aac.ts", ".m2ts"}};
  for (int group = 0; group < 5; ++group) {
    for (const auto& [fixture, extension] : kinds)
      copy_fixture(dir, fixture, "in/clip" + std::to_string(group) + extension);
  }
  std::map<std::string, std::string> first;
  for (int run = 0; run < 5; ++run) {
    const fs::path out = dir / ("out" + std::to_string(run));
    const RunResult r = tool({"--no-upload", "--copy-ok", "--no-journal", "-j", "4", "--json", "-o",
                              out.string(), in.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto names = outputs_by_input(json::parse(r.out));
    REQUIRE(names.size() == 20);
    if (run == 0)
      first = names;
    else
      CHECK(names == first);
  }
  // Input order is the sorted folder walk: clip0.flv comes before clip0.m2ts and clip0.ts.
  CHECK(first["clip0.flv"] == "clip0.mp4");
  CHECK(first["clip0.m2ts"] == "clip0-2.mp4");
  CHECK(first["clip0.mp4"] == "clip0-3.mp4");  // a copy keeps its extension: the third .mp4
  CHECK(first["clip0.ts"] == "clip0-4.mp4");
}

TEST_CASE("a second mavi-sandbox on a port in use exits 1 instead of sharing it",
          "[cli][first-use]") {
  mavi::test::SandboxProcess first({"--quiet"});
  mavi::test::RunOptions options;
  options.timeout = std::chrono::seconds(20);
  const RunResult second = mavi::test::run({mavi::test::program("mavi-sandbox").string(), "--quiet",
                                            "--port", std::to_string(first.port())},
                                           options);
  CHECK(second.exit_code == 1);
  CHECK(second.out.find("listening") == std::string::npos);
  CHECK(second.err.find("cannot listen") != std::string::npos);
}

TEST_CASE("results that cannot be written to stdout exit 70 with a message, in every program",
          "[cli][first-use]") {
  TempDir dir;
  const fs::path input = copy_fixture(dir, "h264_aac.ts", "in/clip.ts");
  const auto run_to_full = [&](const std::string& command) {
    mavi::test::RunOptions options;
    options.env = {{"XDG_STATE_HOME", (dir / "state").string()}};
    options.timeout = std::chrono::seconds(60);
    return mavi::test::run({"bash", "-c", command + " > /dev/full"}, options);
  };
  const std::string prepare = mavi::test::program("mavi-prepare-and-upload").string();
  const RunResult json_report = run_to_full(prepare + " --no-upload --json -o '" +
                                            (dir / "out").string() + "' '" + input.string() + "'");
  CHECK(json_report.exit_code == 70);
  CHECK(json_report.err.find("mavi-prepare-and-upload: cannot write the results to stdout") !=
        std::string::npos);
  const RunResult lines = run_to_full(prepare + " --no-upload --json-lines -o '" +
                                      (dir / "out").string() + "' '" + input.string() + "'");
  CHECK(lines.exit_code == 70);
  const RunResult check =
      run_to_full(mavi::test::program("mavi-check").string() + " '" + input.string() + "'");
  CHECK(check.exit_code == 70);
  const RunResult sandbox =
      run_to_full(mavi::test::program("mavi-sandbox").string() + " --quiet --port 0");
  CHECK(sandbox.exit_code == 70);
  CHECK(sandbox.err.find("mavi-sandbox: cannot write") != std::string::npos);
}

TEST_CASE("the journal report credits an upload to the file that was uploaded, not to a later copy",
          "[cli][first-use]") {
  TempDir dir;
  const fs::path a = copy_fixture(dir, "h264_aac.mp4", "in/a.mp4");
  const fs::path b = copy_fixture(dir, "h264_aac.mp4", "in/b.mp4");
  mavi::test::SandboxProcess sandbox({"--quiet", "--callback-delay", "0"});
  const fs::path journal = dir / "journal.sqlite";
  const std::vector<std::string> batch{"--base-url", sandbox.url(), "--uploads-per-minute",
                                       "0",          "--journal",   journal.string(),
                                       "-j",         "1",           (dir / "in").string()};
  for (int run = 0; run < 2; ++run) {
    const RunResult r = tool(batch);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  const RunResult report = tool({"--journal", journal.string(), "--report", "--json"});
  REQUIRE(report.exit_code == 0);
  const json doc = json::parse(report.out);
  REQUIRE(doc["files"].size() == 1);
  CHECK(doc["files"][0]["path"] == a.string());
  CHECK_FALSE(doc["files"][0]["upload"]["videoNo"].get<std::string>().empty());
}

// mavi-prepare-and-upload run as a program: --dry-run touches nothing, the JSON report's shape,
// output naming and exit statuses.
#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "mavi/probe.hpp"
#include "support/media_oracle.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"

using namespace mavi;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

test::RunResult prepare_tool(std::vector<std::string> args) {
  args.insert(args.begin(), test::program("mavi-prepare-and-upload").string());
  return test::run(args);
}

std::vector<std::string> tree(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir))
    return names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    names.push_back(fs::relative(e.path(), dir).string() + ":" +
                    std::to_string(e.is_regular_file() ? e.file_size() : 0));
  }
  std::sort(names.begin(), names.end());
  return names;
}

fs::path copy_fixture(const test::TempDir& dir, const std::string& name,
                      const std::string& as = "") {
  const fs::path to = dir / (as.empty() ? name : as);
  fs::create_directories(to.parent_path());
  fs::copy_file(test::fixture(name), to);
  return to;
}

}  // namespace

TEST_CASE("dry run (--dry-run) prints the plan and touches nothing", "[cli][prepare]") {
  test::TempDir dir;
  copy_fixture(dir, "mpeg4_mp3.avi", "in/mpeg4_mp3.avi");
  copy_fixture(dir, "h264_aac.ts", "in/h264_aac.ts");
  copy_fixture(dir, "h264_aac.mp4", "in/h264_aac.mp4");
  const auto before = tree(dir.path());
  const auto r = prepare_tool({"--no-upload", "--dry-run", "--copy-ok", "-o",
                               (dir / "out").string(), (dir / "in").string()});
  CHECK(r.exit_code == 0);
  CHECK(tree(dir.path()) == before);
  CHECK_FALSE(fs::exists(dir / "out"));
  CHECK(r.out.find("planned") != std::string::npos);
  CHECK(r.out.find("transcode") != std::string::npos);
  CHECK(r.out.find("remux") != std::string::npos);
  CHECK(r.out.find("encode to h264") != std::string::npos);
}

TEST_CASE("JSON report (--json) lists every file with its verdict, action, output and status",
          "[cli][prepare]") {
  test::TempDir dir;
  const auto ok = copy_fixture(dir, "h264_aac.mp4", "in/h264_aac.mp4");
  const auto fixable = copy_fixture(dir, "mpeg4_mp3.avi", "in/mpeg4_mp3.avi");
  const auto rejected = copy_fixture(dir, "text_renamed.mp4", "in/text_renamed.mp4");
  const fs::path out = dir / "out";
  const auto r = prepare_tool({"--no-upload", "--json", "-o", out.string(), ok.string(),
                               fixable.string(), rejected.string()});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // the rejected file was skipped
  const json doc = json::parse(r.out);
  CHECK(doc["tool"] == "mavi-prepare-and-upload");
  REQUIRE(doc["files"].size() == 3);
  for (const auto& f : doc["files"]) {
    for (const char* key : {"path", "verdict", "action", "output", "status", "error"}) {
      CHECK(f.contains(key));
    }
  }
  const json& f_ok = doc["files"][0];
  CHECK(f_ok["status"] == "ok");
  CHECK(f_ok["verdict"] == "ok");
  CHECK(f_ok["output"].is_null());
  const json& f_fix = doc["files"][1];
  CHECK(f_fix["status"] == "prepared");
  CHECK(f_fix["verdict"] == "fixable");
  CHECK(f_fix["action"] == "transcode");
  CHECK(f_fix["error"].is_null());
  REQUIRE(f_fix["output"].is_string());
  const fs::path made = f_fix["output"].get<std::string>();
  CHECK(made == out / "mpeg4_mp3.mp4");
  CHECK(probe(made).primary_video()->codec == "h264");
  const json& f_rej = doc["files"][2];
  CHECK(f_rej["status"] == "rejected");
  CHECK(f_rej["verdict"] == "rejected");
  CHECK(f_rej["error"].is_string());
  CHECK(doc["summary"]["prepared"] == 1);
  CHECK(doc["summary"]["rejected"] == 1);
  CHECK(doc["summary"]["skipped"] == 1);  // the earlier name, still there
  // Only the prepared file is in the output folder: no temporary file left.
  CHECK(tree(out) ==
        std::vector<std::string>{"mpeg4_mp3.mp4:" + std::to_string(fs::file_size(made))});
}

TEST_CASE("inputs with the same stem get distinct outputs, --copy-ok copies as is",
          "[cli][prepare]") {
  test::TempDir dir;
  const auto a = copy_fixture(dir, "h264_aac.ts", "a/clip.ts");
  const auto b = copy_fixture(dir, "h264_aac.flv", "b/clip.flv");
  const auto c = copy_fixture(dir, "hevc_aac.mkv", "c/clip.mkv");
  const fs::path out = dir / "out";
  const auto r = prepare_tool({"--no-upload", "--copy-ok", "--json", "-o", out.string(), a.string(),
                               b.string(), c.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json doc = json::parse(r.out);
  REQUIRE(doc["files"].size() == 3);
  CHECK(doc["files"][0]["status"] == "prepared");
  CHECK(doc["files"][1]["status"] == "prepared");
  CHECK(doc["files"][2]["status"] == "copied");
  std::set<std::string> outputs;
  for (const auto& f : doc["files"])
    outputs.insert(f["output"].get<std::string>());
  CHECK(outputs.size() == 3);
  CHECK(outputs.count((out / "clip.mp4").string()) == 1);
  CHECK(outputs.count((out / "clip-2.mp4").string()) == 1);
  CHECK(outputs.count((out / "clip.mkv").string()) == 1);
  for (const auto& o : outputs)
    CHECK(fs::exists(o));
}

TEST_CASE("human output: one line per file, exit 0 when all prepared or ok", "[cli][prepare]") {
  test::TempDir dir;
  const auto r = prepare_tool({"--no-upload", "-o", (dir / "out").string(),
                               test::fixture("h264_aac.mp4").string(),
                               test::fixture("vp9_opus.webm").string()});
  CHECK(r.exit_code == 0);
  // One line per file, in input order whatever the workers' timing, then the summary.
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 3);
  CHECK(r.out.find("ok ") == 0);
  CHECK(r.out.find("2 files: 1 prepared, 1 acceptable as they are, 0 failed") != std::string::npos);
  CHECK(r.out.find("prepared") != std::string::npos);
  CHECK(r.out.find("vp9_opus.mp4") != std::string::npos);
  CHECK(r.err.find('\r') == std::string::npos);  // no progress bar when not a terminal
}

TEST_CASE("usage errors exit 64", "[cli][prepare]") {
  test::TempDir dir;
  const std::string in = test::fixture("h264_aac.ts").string();
  const std::string out = (dir / "out").string();
  CHECK(prepare_tool({}).exit_code == 64);
  CHECK(prepare_tool({"--no-upload", "--bogus", "-o", out, in}).exit_code == 64);
  CHECK(prepare_tool({"--no-upload", "--crf", "99", "-o", out, in}).exit_code == 64);
  CHECK(prepare_tool({"--no-upload", "--preset", "warp", "-o", out, in}).exit_code == 64);
  CHECK(prepare_tool({"--no-upload", in}).exit_code == 64);  // no -o
  // Uploading without an API key (MAVI_API_KEY emptied for the child) is a usage error.
  test::RunOptions no_key;
  no_key.env["MAVI_API_KEY"] = "";
  const auto upload =
      test::run({test::program("mavi-prepare-and-upload").string(), "-o", out, in}, no_key);
  CHECK(upload.exit_code == 64);
  CHECK(upload.err.find("MAVI_API_KEY") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
  CHECK(prepare_tool({"--help"}).exit_code == 0);
  CHECK(prepare_tool({"--version"}).exit_code == 0);
}

TEST_CASE("a missing input is a failure, the others still prepared", "[cli][prepare]") {
  test::TempDir dir;
  const auto r =
      prepare_tool({"--no-upload", "--json", "-o", (dir / "out").string(),
                    (dir / "missing.avi").string(), test::fixture("h264_aac.flv").string()});
  CHECK(r.exit_code == 1);
  const json doc = json::parse(r.out);
  REQUIRE(doc["files"].size() == 2);
  CHECK(doc["summary"]["failed"] == 1);
  CHECK(doc["summary"]["prepared"] == 1);
}

TEST_CASE(
    "a full output folder (file-size limit) is disk_full for every file, leaves nothing, "
    "and the batch goes on",
    "[cli][prepare]") {
  test::TempDir dir;
  const fs::path out = dir / "out";
  fs::create_directories(out);
  // ulimit -f counts 1024-byte blocks: 16 KiB is less than any prepared fixture.
  const std::string script = "ulimit -f 16 && exec \"$@\"";
  const auto r =
      test::run({"bash", "-c", script, "limited", test::program("mavi-prepare-and-upload").string(),
                 "--no-upload", "--no-journal", "--json", "-j", "1", "-o", out.string(),
                 test::fixture("mpeg4_mp3.avi").string(), test::fixture("h264_aac.flv").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const json doc = json::parse(r.out);
  REQUIRE(doc["files"].size() == 2);
  for (const auto& f : doc["files"]) {
    CHECK(f["status"] == "failed");
    CHECK(f["error_kind"] == "disk_full");
  }
  for (const auto& entry : fs::directory_iterator(out))
    FAIL("left in the output folder: " << entry.path());
}

TEST_CASE(
    "the program's remux reuses the check's opened input: exact video bitstream, audio encoded "
    "where needed, the output decodes cleanly",
    "[cli][prepare]") {
  test::TempDir dir;
  const fs::path out = dir / "out";
  // h264_aac.flv: everything copied; vp9_opus.webm: video copied, Opus encoded to AAC.
  const auto r = prepare_tool({"--no-upload", "--json", "-j", "2", "-o", out.string(),
                               test::fixture("h264_aac.flv").string(),
                               test::fixture("vp9_opus.webm").string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(r.out);
  REQUIRE(doc["files"].size() == 2);
  for (const auto& f : doc["files"]) {
    CHECK(f["status"] == "prepared");
    CHECK(f["action"] == "remux");
    const fs::path input = f["path"].get<std::string>();
    const fs::path output = f["output"].get<std::string>();
    CHECK(test::packet_checksums(output) == test::packet_checksums(input));
    const MediaInfo media = probe(output);
    bool has_aac = false;
    for (const auto& s : media.streams)
      has_aac = has_aac || (s.type == StreamType::audio && s.codec == "aac");
    CHECK(has_aac);
    const auto decoded =
        test::run({"ffmpeg", "-v", "error", "-i", output.string(), "-f", "null", "-"});
    CHECK(decoded.exit_code == 0);
    CHECK(decoded.err.empty());
  }
}

TEST_CASE("libavfilter is loaded only when a video is re-encoded", "[prepare][cli]") {
  // The dynamic loader lists every library it maps (LD_DEBUG=files) on stderr: libavfilter and
  // the ~30 libraries it pulls in cost ~40 ms at start, so the program maps them only for a
  // video re-encode, not for a check or a remux.
  test::TempDir dir;
  test::RunOptions traced;
  traced.env["LD_DEBUG"] = "files";
  const auto loads_libavfilter = [&](const std::string& fixture, const std::string& out) {
    const auto r =
        test::run({test::program("mavi-prepare-and-upload").string(), "--no-upload", "--quiet",
                   "-o", (dir.path() / out).string(), test::fixture(fixture).string()},
                  traced);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.err.find("libavformat.so") != std::string::npos);  // the trace is there
    return r.err.find("libavfilter.so") != std::string::npos;
  };
  CHECK_FALSE(loads_libavfilter("h264_aac.ts", "remuxed"));
  CHECK(loads_libavfilter("mpeg4_mp3.avi", "encoded"));
}

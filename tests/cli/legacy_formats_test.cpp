// Folders of older material, as real ones hold them: QuickTime .qt, RealMedia, DivX, raw MPEG-2
// video, NUT, a game movie (RoQ, whose demuxer ends with an I/O error instead of EOF), and a
// Video CD's MPEGAV/AVSEQ01.DAT. Made on the fly with FFmpeg's own muxers; every file must be
// found in the folder, prepared, and come out decoding cleanly with all its frames.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/skip.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::ffmpeg;
using mavi::test::RunResult;
using nlohmann::json;

bool have_ffmpeg() {
  return mavi::test::on_path("ffmpeg") && mavi::test::on_path("ffprobe");
}

// One second of test picture and tone, at `size` and `rate`, into `out` with `codecs`.
void make_clip(const fs::path& out, const std::string& size, const std::string& rate,
               const std::string& sample_rate, std::vector<std::string> codecs) {
  fs::create_directories(out.parent_path());
  std::vector<std::string> args{
      "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=" + rate + ":duration=1",
      "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=" + sample_rate + ":duration=1"};
  args.insert(args.end(), codecs.begin(), codecs.end());
  args.push_back(out.string());
  ffmpeg(args);
}

// Video frames FFmpeg decodes from `file` (counted: a raw stream's frames carry no time for
// media_oracle's video_frame_times to list).
int video_frames(const fs::path& file) {
  const RunResult r =
      mavi::test::run({"ffprobe", "-v", "quiet", "-count_frames", "-select_streams", "v:0",
                       "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file.string()});
  INFO(file << ": " << r.out << r.err);
  return std::stoi(r.out);
}

RunResult program(const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), mavi::test::program(name).string());
  return mavi::test::run(args);
}

}  // namespace

TEST_CASE("older formats in a folder: each is found, prepared, and decodes with all its frames",
          "[cli][media]") {
  if (!have_ffmpeg())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  mavi::test::TempDir dir;
  const fs::path in = dir / "in";
  const std::map<std::string, std::vector<std::string>> clips{
      {"old/clip.qt", {"-c:v", "svq1", "-c:a", "pcm_s16be", "-f", "mov"}},
      {"old/clip.rm", {"-c:v", "rv10", "-c:a", "ac3", "-f", "rm"}},
      {"old/clip.divx", {"-c:v", "mpeg4", "-vtag", "DX50", "-c:a", "mp3", "-f", "avi"}},
      {"old/clip.m2v", {"-an", "-c:v", "mpeg2video", "-f", "mpeg2video"}},
      {"old/clip.nut", {"-c:v", "mpeg4", "-c:a", "pcm_s16le", "-f", "nut"}},
  };
  for (const auto& [name, codecs] : clips)
    make_clip(in / name, "176x144", "25", "48000", codecs);
  make_clip(in / "game/intro.roq", "256x256", "30", "22050",
            {"-c:v", "roqvideo", "-c:a", "roq_dpcm", "-ac", "1", "-f", "roq"});
  make_clip(in / "VCD/MPEGAV/AVSEQ01.DAT", "352x240", "30000/1001", "44100",
            {"-target", "ntsc-vcd"});
  std::ofstream(in / "VCD/SEGMENT/ITEM0001.DAT") << "not in MPEGAV: not a track";
  std::ofstream(in / "other/data.dat") << "a .dat elsewhere is no video";
  const std::set<std::string> videos{"old/clip.qt",           "old/clip.rm",  "old/clip.divx",
                                     "old/clip.m2v",          "old/clip.nut", "game/intro.roq",
                                     "VCD/MPEGAV/AVSEQ01.DAT"};

  // The folder walk finds every video, and no other .dat.
  const RunResult check = program("mavi-check", {"--json", "--deep", in.string()});
  INFO(check.out << check.err);
  const json checked = json::parse(check.out);
  std::set<std::string> found;
  for (const auto& f : checked.at("files")) {
    const std::string path = fs::path(f.at("path").get<std::string>()).lexically_relative(in);
    INFO(path << ": " << f.dump());
    found.insert(path);
    CHECK(f.at("verdict") == "fixable");
    // RoQ ends with an I/O error at the end of the file: that is its end, not damage.
    for (const auto& finding : f.at("findings"))
      CHECK(finding.at("code") != "decode_errors");
  }
  CHECK(found == videos);

  // Each comes out prepared, decoding without a message, with every frame.
  const fs::path out = dir / "out";
  const RunResult prepared =
      program("mavi-prepare-and-upload",
              {"--no-upload", "--no-journal", "--json", "-o", out.string(), in.string()});
  INFO(prepared.out << prepared.err);
  CHECK(prepared.exit_code == 0);
  const json report = json::parse(prepared.out);
  REQUIRE(report.at("files").size() == videos.size());
  for (const auto& f : report.at("files")) {
    const fs::path source = f.at("path").get<std::string>();
    INFO(source << ": " << f.dump());
    CHECK(f.at("status") == "prepared");
    REQUIRE(f.at("output").is_string());
    const fs::path output = f.at("output").get<std::string>();
    const RunResult decode =
        mavi::test::run({"ffmpeg", "-v", "error", "-i", output.string(), "-f", "null", "-"});
    CHECK(decode.exit_code == 0);
    CHECK(decode.err.empty());
    CHECK(video_frames(output) == video_frames(source));
    CHECK(program("mavi-check", {output.string()}).exit_code == 0);
  }
}

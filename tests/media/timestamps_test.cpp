// Timestamps from real-world muxers: inputs whose frames lack times, whose header duration is a
// bit-rate estimate, whose packets carry no durations. Each is prepared and the output checked
// the way a player would see it (ffmpeg decodes it without a message, every frame there, times
// increasing and evenly spaced, the right length); then the verification is shown broken
// outputs of each kind and must refuse them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "mavi/error.hpp"
#include "mavi/plan.hpp"
#include "mavi/prepare.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"
#include "prepare/verify.hpp"
#include "support/media_oracle.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/skip.hpp"

using namespace mavi;
namespace fs = std::filesystem;

namespace {

CheckResult checked(const MediaInfo& info, const Rules& rules = {}) {
  CheckResult result;
  result.path = info.path;
  result.media = info;
  result.verdict = evaluate(info, rules);
  result.rules = rules;
  return result;
}

PrepareResult prepare_fixture(const std::string& name, const fs::path& out) {
  const MediaInfo info = probe(test::fixture(name));
  const CheckResult c = checked(info);
  REQUIRE(c.verdict.kind == VerdictKind::fixable);
  return prepare(test::fixture(name), out, plan(c));
}

double video_duration(const fs::path& path) {
  const auto r = test::run({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=duration", "-of", "csv=p=0", path.string()});
  REQUIRE(r.exit_code == 0);
  return std::stod(r.out);
}

// ffmpeg decodes (and re-muxes) the whole file and has nothing to say about it.
void decodes_silently(const fs::path& path) {
  const auto r =
      test::run({"ffmpeg", "-nostdin", "-v", "error", "-i", path.string(), "-f", "null", "-"});
  CHECK(r.exit_code == 0);
  CHECK(r.err == "");
}

// The output shows `frames` frames spaced by `frame_s` (the last one too), lasting `duration`.
void check_timeline(const fs::path& out, size_t frames, double frame_s, double duration) {
  decodes_silently(out);
  const auto times = test::video_frame_times(out);
  CHECK(times.size() == frames);
  for (size_t i = 1; i < times.size(); ++i) {
    INFO("frame " << i << " at " << times[i] << " s, the previous at " << times[i - 1] << " s");
    CHECK(times[i] - times[i - 1] == Approx(frame_s).margin(frame_s / 4));
  }
  CHECK(video_duration(out) == Approx(duration).margin(frame_s / 2));
}

// True when ffmpeg and ffprobe can be run; a test case without them skips (MAVI_SKIP returns
// from the test case itself, so it is called there, not in a helper).
bool have_tools() {
  return test::on_path("ffmpeg") && test::on_path("ffprobe");
}

// ffmpeg's libx264 encode of a synthetic clip, with `extra` options (timestamps bent on purpose).
fs::path make_output(const test::TempDir& dir, const std::string& name, const std::string& src,
                     const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y",
                                   "-f",     "lavfi",    "-i", src};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const std::vector<std::string> tail = {"-c:v",      "libx264",  "-preset",
                                         "ultrafast", "-threads", "1",
                                         "-pix_fmt",  "yuv420p",  (dir / name).string()};
  argv.insert(argv.end(), tail.begin(), tail.end());
  const auto r = test::run(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return dir / name;
}

std::string refusal(const fs::path& out, const detail::Expected& e) {
  try {
    detail::verify_output(out, "input", Rules{}, e);
  } catch (const Error& err) {
    CHECK(err.kind() == Errc::verification_failed);
    return err.what();
  }
  FAIL("verification accepted " << out);
  return "";
}

const char* kClip = "testsrc2=size=160x120:rate=25:duration=1";

// The reference of a good 25-frame, 1 s clip at 25 fps.
detail::Expected one_second() {
  detail::Expected e;
  e.duration_s = 1.0;
  e.video_frames = 25;
  e.video_s = 1.0;
  e.frame_s = 0.04;
  return e;
}

// What `ffprobe -show_entries stream=ENTRY` says of the first stream of `type` ("v", "a"). Only
// nb_read_packets reads the packets (reading them can give a stream the start time its header
// and FFmpeg's probe did not).
std::string stream_entry(const fs::path& path, const std::string& type, const std::string& entry) {
  std::vector<std::string> argv = {
      "ffprobe",         "-v",  "error",   "-select_streams", type + ":0", "-show_entries",
      "stream=" + entry, "-of", "csv=p=0", path.string()};
  if (entry == "nb_read_packets")
    argv.insert(argv.begin() + 3, "-count_packets");
  const auto r = test::run(argv);
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, r.out.find_first_of(",\n"));
}

}  // namespace

TEST_CASE("MPEG-PS whose trailing frames have no PTS comes out evenly spaced",
          "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  prepare_fixture("mpeg_ps_tail_no_pts.mpg", dir / "out.mp4");
  check_timeline(dir / "out.mp4", 25, 0.04, 1.0);
}

TEST_CASE("MPEG-PS without any timestamp keeps its frame rate", "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  prepare_fixture("mpeg_ps_no_timestamps.mpg", dir / "out.mp4");
  check_timeline(dir / "out.mp4", 24, 1.0 / 30, 0.8);
}

TEST_CASE("a raw MPEG-1 stream is checked against its decoded duration, not the estimate",
          "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  const MediaInfo info = probe(test::fixture("mpeg1_raw.m1v"));
  CHECK(info.duration_estimated);
  REQUIRE(info.duration);
  CHECK(info.duration->count() < 0.1);  // the bit-rate estimate
  test::TempDir dir;
  const auto result = prepare_fixture("mpeg1_raw.m1v", dir / "out.mp4");
  CHECK_FALSE(result.media.duration_estimated);
  check_timeline(dir / "out.mp4", 50, 0.04, 2.0);
}

// The preparation before 9b779d3 failed on this file too ("writing the output: Invalid argument":
// the copied AAC's DTS went back at the second cluster).
TEST_CASE("Matroska whose timestamps restart at every cluster keeps all its video and audio",
          "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  prepare_fixture("mpeg4_aac_no_cluster_times.mkv", dir / "out.mp4");
  check_timeline(dir / "out.mp4", 25, 0.04, 1.0);
  const auto r = test::run({"ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                            "stream=duration", "-of", "csv=p=0", (dir / "out.mp4").string()});
  REQUIRE(r.exit_code == 0);
  CHECK(std::stod(r.out) == Approx(1.0).margin(0.05));  // every audio frame, in sequence
}

// Bug report class 4 as it was met: the preparation before 9b779d3 failed on this file with
// "writing the output: Invalid argument" (its copied AAC went back in time where the timestamps
// restart), while `ffmpeg -c:v libx264 -c:a copy` made a file of it (dropping a frame).
TEST_CASE("Matroska with no stream start time keeps all its video and audio",
          "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  const fs::path in = test::fixture("mpeg4_aac_no_start_times.mkv");
  // The class: FFmpeg finds no start time for either stream.
  REQUIRE(stream_entry(in, "v", "start_time") == "N/A");
  REQUIRE(stream_entry(in, "a", "start_time") == "N/A");
  test::TempDir dir;
  const auto result = prepare_fixture("mpeg4_aac_no_start_times.mkv", dir / "out.mp4");
  check_timeline(dir / "out.mp4", 75, 0.04, 3.0);
  // Every audio frame, in sequence: as many packets as the input's, lasting the 3 s.
  CHECK(stream_entry(dir / "out.mp4", "a", "nb_read_packets") ==
        stream_entry(in, "a", "nb_read_packets"));
  CHECK(std::stod(stream_entry(dir / "out.mp4", "a", "duration")) == Approx(3.0).margin(0.05));
  CHECK(result.media.streams.size() == 2);
}

TEST_CASE("WMV frames without durations keep their length, the last one too",
          "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  prepare_fixture("wmv_two_frames.wmv", dir / "out.mp4");
  check_timeline(dir / "out.mp4", 2, 1.0, 2.0);
}

TEST_CASE("verification accepts a good output", "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  const fs::path out = make_output(dir, "good.mp4", kClip, {});
  CHECK_NOTHROW(detail::verify_output(out, "input", Rules{}, one_second()));
}

TEST_CASE("verification refuses two frames at nearly the same time",
          "[prepare][media][timestamps]") {
  // Class 1's symptom: the last frame 1/90000 s after the one before.
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  const fs::path out =
      make_output(dir, "close.mp4", kClip,
                  {"-vf", "settb=1/90000,setpts=if(eq(N\\,24)\\,23*3600+1\\,N*3600)", "-fps_mode",
                   "passthrough", "-enc_time_base", "1/90000", "-video_track_timescale", "90000"});
  CHECK_THAT(refusal(out, one_second()), Catch::Contains("apart"));
}

TEST_CASE("verification refuses frames packed into a fraction of the time",
          "[prepare][media][timestamps]") {
  // Class 2's symptom: 25 frames one tick apart.
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  const fs::path out =
      make_output(dir, "packed.mp4", kClip,
                  {"-vf", "settb=1/90000,setpts=N", "-fps_mode", "passthrough", "-enc_time_base",
                   "1/90000", "-video_track_timescale", "90000"});
  refusal(out, one_second());
}

TEST_CASE("verification compares with the decoded duration when the header's is an estimate",
          "[prepare][media][timestamps]") {
  // Class 3: the header says 0.005 s, the input decodes to 1 s.
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  const fs::path out = make_output(dir, "good.mp4", kClip, {});
  detail::Expected e = one_second();
  e.duration_s = 0.005;
  e.duration_estimated = true;
  CHECK_NOTHROW(detail::verify_output(out, "input", Rules{}, e));
  e.duration_estimated = false;  // the same figure stated, not estimated, is a reference
  CHECK_THAT(refusal(out, e), Catch::Contains("lasts"));
  e.duration_estimated = true;
  e.video_s = 2.0;  // decoded to 2 s: the 1 s output is short
  e.video_frames = -1;
  refusal(out, e);
}

TEST_CASE("verification refuses a missing frame", "[prepare][media][timestamps]") {
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  const fs::path out = make_output(dir, "good.mp4", kClip, {});
  detail::Expected e = one_second();
  e.video_frames = 26;
  CHECK_THAT(refusal(out, e), Catch::Contains("frames"));
}

TEST_CASE("verification refuses a video whose last frame has no duration",
          "[prepare][media][timestamps]") {
  // Class 5's symptom: two frames 1 s apart, the output lasting 1.001 s instead of 2 s.
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  const fs::path out = make_output(dir, "short.mp4", "testsrc2=size=160x120:rate=1:duration=2",
                                   {"-vf", "setpts=N*1000", "-fps_mode", "passthrough",
                                    "-enc_time_base", "1/1000", "-video_track_timescale", "1000"});
  detail::Expected e;
  e.duration_s = 2.0;
  e.video_frames = 2;
  e.video_s = 2.0;
  e.frame_s = 0.001;  // the container's 1000 fps base rate
  refusal(out, e);
}

TEST_CASE("verification refuses audio that does not last as long as the input's",
          "[prepare][media][timestamps]") {
  // Class 4's risk: audio copied with lost timestamps, its length wrong.
  if (!have_tools())
    MAVI_SKIP("ffmpeg/ffprobe are not installed");
  test::TempDir dir;
  const fs::path out =
      make_output(dir, "short_audio.mp4", kClip,
                  {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=0.5", "-c:a",
                   "aac", "-map", "0:v", "-map", "1:a"});
  detail::Expected e = one_second();
  e.video_frames = -1;
  e.audio_s = 1.0;
  CHECK_THAT(refusal(out, e), Catch::Contains("audio"));
}

// plan(): the decisions for hand-made MediaInfo values, no I/O.
#include <catch2/catch.hpp>

#include "mavi/plan.hpp"
#include "mavi/prepare.hpp"
#include "mavi/rules.hpp"
#include "support/media_builders.hpp"

using namespace mavi;
using test::audio_stream;
using test::media;
using test::video_stream;

namespace {

Verdict fixable(Action action, std::vector<std::string> codes = {}) {
  Verdict v;
  v.kind = VerdictKind::fixable;
  v.action = action;
  for (auto& c : codes)
    v.findings.push_back({c, Severity::error, c, action});
  return v;
}

// plan() for a file the check would describe with `info` and decide as `verdict`.
Plan plan_for(const MediaInfo& info, const Verdict& verdict, const PrepareOptions& options = {},
              const Rules& rules = {}) {
  CheckResult checked;
  checked.path = info.path;
  checked.media = info;
  checked.verdict = verdict;
  checked.rules = rules;
  return plan(checked, options);
}

}  // namespace

TEST_CASE("a container problem alone is a remux that copies every kept stream", "[plan]") {
  const auto info = media("a.ts", "mpegts", {video_stream(0, "h264"), audio_stream(1, "aac")});
  const Plan p = plan_for(info, fixable(Action::remux, {"container_not_accepted"}));
  CHECK(p.action == Action::remux);
  REQUIRE(p.streams.size() == 2);
  CHECK(p.streams[0].action == StreamAction::copy);
  CHECK(p.streams[1].action == StreamAction::copy);
  CHECK_FALSE(p.video_bit_rate);
  CHECK_FALSE(p.streams[0].reason.empty());
}

TEST_CASE("a codec MAVI does not take is re-encoded, MP3 audio is copied", "[plan]") {
  const auto info = media("a.avi", "avi", {video_stream(0, "mpeg4"), audio_stream(1, "mp3")});
  const Plan p = plan_for(info, evaluate(info));
  CHECK(p.action == Action::transcode);
  CHECK(p.streams[0].action == StreamAction::encode);
  CHECK(p.streams[0].output_codec == "h264");
  CHECK(p.streams[0].reason.find("mpeg4") != std::string::npos);
  CHECK(p.streams[1].action == StreamAction::copy);
  CHECK(p.video.width == 1920);
  CHECK(p.video.height == 1080);
  CHECK_FALSE(p.video.scale);
  CHECK_FALSE(p.video.crop_to_even);
  CHECK_FALSE(p.video.convert_pixel_format);
}

TEST_CASE("audio other than AAC or MP3 is encoded to AAC, mono stays mono", "[plan]") {
  const auto info =
      media("a.mov", "mov,mp4", {video_stream(0, "h264"), audio_stream(1, "pcm_s16le", 1)});
  const Plan p = plan_for(info, fixable(Action::remux));
  CHECK(p.action == Action::remux);
  CHECK(p.streams[0].action == StreamAction::copy);
  CHECK(p.streams[1].action == StreamAction::encode);
  CHECK(p.streams[1].output_codec == "aac");
  CHECK(p.streams[1].reason.find("mono") != std::string::npos);
}

TEST_CASE("only the default audio track is kept, subtitles, data and cover art dropped", "[plan]") {
  auto second = audio_stream(2, "aac");
  second.is_default = true;
  auto cover = video_stream(4, "mjpeg", 300, 300);
  cover.video->attached_picture = true;
  StreamInfo subs;
  subs.index = 3;
  subs.type = StreamType::subtitle;
  subs.codec = "subrip";
  const auto info = media("a.mkv", "matroska,webm",
                          {video_stream(0, "h264"), audio_stream(1, "ac3"), second, subs, cover});
  const Plan p = plan_for(info, fixable(Action::remux));
  REQUIRE(p.streams.size() == 5);
  CHECK(p.streams[1].action == StreamAction::drop);
  CHECK(p.streams[2].action == StreamAction::copy);
  CHECK(p.streams[3].action == StreamAction::drop);
  CHECK(p.streams[4].action == StreamAction::drop);
  CHECK(p.streams[4].reason.find("cover art") != std::string::npos);
  REQUIRE(p.audio_stream() != nullptr);
  CHECK(p.audio_stream()->input_index == 2);
}

TEST_CASE("video steps: rotation, odd size, HDR, interlacing, pixel format", "[plan]") {
  auto v = video_stream(0, "mpeg2video", 721, 481);
  v.video->rotation_degrees = 90;  // display matrix angle, counter-clockwise (as ffprobe says)
  v.video->interlaced = true;
  v.video->hdr = HdrKind::pq;
  v.video->pixel_format = "yuv420p10le";
  const auto info = media("a.mpg", "mpeg", {v, audio_stream(1, "mp2")});
  const Plan p = plan_for(info, fixable(Action::transcode));
  CHECK(p.video.rotate_degrees == 270);  // a counter-clockwise display turn, applied clockwise
  CHECK(p.video.deinterlace);
  CHECK(p.video.tone_map == HdrKind::pq);
  CHECK(p.video.convert_pixel_format);
  CHECK(p.video.width == 480);  // rotated, then the odd pixel cropped
  CHECK(p.video.height == 720);
  CHECK(p.video.crop_to_even);
  CHECK_FALSE(p.video.scale);
  CHECK(p.streams[1].action == StreamAction::encode);
}

TEST_CASE("max height (--max-height) downscales keeping the aspect ratio with even sizes",
          "[plan]") {
  const auto info = media("a.mp4", "mov,mp4", {video_stream(0, "h264", 1920, 1080)});
  PrepareOptions options;
  options.max_height = 721;
  const Plan p = plan_for(info, Verdict{}, options);
  CHECK(p.action == Action::transcode);
  CHECK(p.video.scale);
  CHECK(p.video.height == 720);
  CHECK(p.video.width == 1282);  // 1920 * 721 / 1080 = 1281.8 -> nearest even
  options.max_height = 2160;     // not taller: nothing to do
  CHECK(plan_for(info, Verdict{}, options).action == Action::none);
}

TEST_CASE("strict options re-encode what is otherwise only a warning", "[plan]") {
  auto v = video_stream(0, "h264");
  v.video->pixel_format = "yuv444p";
  v.video->chroma_subsampling = "4:4:4";  // as probe() reports it for yuv444p
  const auto info = media("a.mp4", "mov,mp4", {v, audio_stream(1, "aac")});
  const Plan relaxed = plan_for(info, evaluate(info));
  CHECK(relaxed.action == Action::none);
  CHECK_FALSE(relaxed.warnings.empty());
  Rules strict;
  strict.strict = true;
  const Plan p = plan_for(info, evaluate(info, strict), {}, strict);
  CHECK(p.action == Action::transcode);
  CHECK(p.video.convert_pixel_format);
}

TEST_CASE("a file over the size limit gets a bit rate that fits, or is refused", "[plan]") {
  auto info = media("a.mp4", "mov,mp4", {video_stream(0, "h264"), audio_stream(1, "opus")}, 3600);
  info.size_bytes = 4'000'000'000;
  const Plan p = plan_for(info, fixable(Action::transcode, {"file_too_large"}));
  CHECK(p.action == Action::transcode);
  REQUIRE(p.video_bit_rate);
  // 3 GB * 8 * 0.97 / 3600 s - 128 kb/s audio
  CHECK(*p.video_bit_rate == 6'466'666 - 128'000);
  const double total_bits = (*p.video_bit_rate + 128'000) * 3600.0;
  CHECK(total_bits / 8 < 3'000'000'000.0);

  info.duration = Seconds(40 * 3600.0);  // 40 hours into 3 GB: under the sane minimum
  try {
    plan_for(info, fixable(Action::transcode, {"file_too_large"}));
    FAIL("plan() should refuse");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::unsupported);
    CHECK(std::string(e.what()).find("minimum") != std::string::npos);
  }
}

TEST_CASE("a rejected verdict cannot be planned", "[plan]") {
  const auto info = media("a.m4a", "mov,mp4", {audio_stream(0, "aac")});
  Verdict rejected;
  rejected.kind = VerdictKind::rejected;
  rejected.findings.push_back({"no_video_stream", Severity::error, "no video", Action::none});
  CHECK_THROWS_AS(plan_for(info, rejected), Error);
}

TEST_CASE("describe() names the action, every stream and the steps", "[plan]") {
  const auto info = media("a.avi", "avi", {video_stream(0, "mpeg4"), audio_stream(1, "mp3")});
  const std::string text = describe(plan_for(info, fixable(Action::transcode)));
  CHECK(text.find("transcode") != std::string::npos);
  CHECK(text.find("stream 0") != std::string::npos);
  CHECK(text.find("stream 1") != std::string::npos);
  CHECK(text.find("1920x1080") != std::string::npos);
}

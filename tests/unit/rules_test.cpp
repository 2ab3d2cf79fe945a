// evaluate() and evaluate_failure() on hand-made MediaInfo values: no I/O.
#include <catch2/catch.hpp>

#include "mavi/rules.hpp"
#include "mavi/upload.hpp"
#include "support/media_builders.hpp"

using namespace mavi;
using test::audio_stream;
using test::good_mp4;
using test::video_stream;

namespace {

const Finding* find(const Verdict& v, std::string_view code) {
  for (const auto& f : v.findings) {
    if (f.code == code)
      return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a conforming H.264/AAC MP4 is ok with no findings", "[rules]") {
  const Verdict v = evaluate(good_mp4());
  CHECK(v.kind == VerdictKind::ok);
  CHECK(v.action == Action::none);
  CHECK(v.findings.empty());
}

TEST_CASE("HEVC and VP9 are accepted video codecs", "[rules]") {
  for (const char* codec : {"hevc", "vp9"}) {
    MediaInfo info = good_mp4();
    info.streams[0].codec = codec;
    CHECK(evaluate(info).kind == VerdictKind::ok);
  }
}

TEST_CASE("an unaccepted video codec is fixable by transcoding", "[rules]") {
  MediaInfo info = good_mp4();
  info.streams[0].codec = "mpeg4";
  const Verdict v = evaluate(info);
  CHECK(v.kind == VerdictKind::fixable);
  CHECK(v.action == Action::transcode);
  const Finding* f = find(v, "video_codec_not_accepted");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::error);
  CHECK(f->fix == Action::transcode);
  CHECK(f->message.find("mpeg4") != std::string::npos);
  CHECK(v.findings.front().code == "video_codec_not_accepted");
}

TEST_CASE("an unaccepted container with a good codec is fixable by remuxing", "[rules]") {
  MediaInfo info = good_mp4();
  info.path = "clip.ts";
  info.format_name = "mpegts";
  const Verdict v = evaluate(info);
  CHECK(v.kind == VerdictKind::fixable);
  CHECK(v.action == Action::remux);
  CHECK(v.has("container_not_accepted"));
}

TEST_CASE("bad codec in bad container needs a transcode, the larger action", "[rules]") {
  MediaInfo info = good_mp4();
  info.path = "clip.flv";
  info.format_name = "flv";
  info.streams[0].codec = "flv1";
  const Verdict v = evaluate(info);
  CHECK(v.action == Action::transcode);
  CHECK(v.has("container_not_accepted"));
  CHECK(v.has("video_codec_not_accepted"));
}

TEST_CASE("accepted container with an extension MAVI refuses is fixable by remux", "[rules]") {
  MediaInfo info = good_mp4();
  info.path = "clip.M4V";
  CHECK(evaluate(info).has("extension_not_accepted"));
  info.path = "clip.webm";
  info.format_name = "matroska,webm";
  const Verdict v = evaluate(info);
  CHECK(v.action == Action::remux);
  CHECK(v.has("extension_not_accepted"));
  info.path = "clip.MKV";  // case-insensitive
  CHECK(evaluate(info).kind == VerdictKind::ok);
}

TEST_CASE("size above the limit is fixable by transcoding, the limit is configurable", "[rules]") {
  MediaInfo info = good_mp4();
  info.size_bytes = 3'000'000'001;
  CHECK(evaluate(info).has("file_too_large"));
  CHECK(evaluate(info).action == Action::transcode);
  Rules rules;
  rules.max_size_bytes = 4'000'000'000;
  CHECK(evaluate(info, rules).kind == VerdictKind::ok);
  rules.max_size_bytes = 1000;
  CHECK(evaluate(good_mp4(), rules).has("file_too_large"));
}

TEST_CASE("no video stream is rejected, and cover art does not count as video", "[rules]") {
  MediaInfo info = good_mp4();
  info.streams = {audio_stream()};
  Verdict v = evaluate(info);
  CHECK(v.kind == VerdictKind::rejected);
  CHECK(v.action == Action::none);
  CHECK(v.has("no_video_stream"));

  StreamInfo cover = video_stream("mjpeg");
  cover.video->attached_picture = true;
  info.streams = {audio_stream(), cover};
  v = evaluate(info);
  CHECK(v.kind == VerdictKind::rejected);
  REQUIRE(find(v, "no_video_stream") != nullptr);
  CHECK(find(v, "no_video_stream")->message.find("cover art") != std::string::npos);
}

TEST_CASE("cover art next to a real video stream is ignored", "[rules]") {
  MediaInfo info = good_mp4();
  StreamInfo cover = video_stream("mjpeg");
  cover.index = 2;
  cover.is_default = true;
  cover.video->attached_picture = true;
  info.streams.push_back(cover);
  CHECK(evaluate(info).kind == VerdictKind::ok);
  CHECK(info.primary_video()->index == 0);
}

TEST_CASE("missing audio is a warning, or an error with require_audio", "[rules]") {
  MediaInfo info = good_mp4();
  info.streams.pop_back();
  Verdict v = evaluate(info);
  CHECK(v.kind == VerdictKind::ok);
  REQUIRE(find(v, "no_audio_track") != nullptr);
  CHECK(find(v, "no_audio_track")->severity == Severity::warning);

  Rules rules;
  rules.require_audio = true;
  v = evaluate(info, rules);
  CHECK(v.kind == VerdictKind::rejected);
  CHECK(find(v, "no_audio_track")->severity == Severity::error);
}

TEST_CASE("preparation-fixable warnings stay warnings, and become fixable under strict",
          "[rules]") {
  struct Case {
    const char* code;
    void (*spoil)(VideoInfo&);
  };
  const Case cases[] = {
      {"pixel_format",
       [](VideoInfo& v) { v.pixel_format = "yuv444p", v.chroma_subsampling = "4:4:4"; }},
      {"pixel_format", [](VideoInfo& v) { v.pixel_format = "yuv420p10le", v.bit_depth = 10; }},
      {"odd_dimensions", [](VideoInfo& v) { v.width = 1921; }},
      {"rotation", [](VideoInfo& v) { v.rotation_degrees = 90; }},
      {"hdr", [](VideoInfo& v) { v.hdr = HdrKind::pq; }},
      {"hdr", [](VideoInfo& v) { v.hdr = HdrKind::hlg; }},
      {"interlaced", [](VideoInfo& v) { v.interlaced = true, v.field_order = "tt"; }},
  };
  for (const Case& c : cases) {
    INFO(c.code);
    MediaInfo info = good_mp4();
    c.spoil(*info.streams[0].video);
    Verdict v = evaluate(info);
    CHECK(v.kind == VerdictKind::ok);
    REQUIRE(find(v, c.code) != nullptr);
    CHECK(find(v, c.code)->severity == Severity::warning);

    Rules strict;
    strict.strict = true;
    v = evaluate(info, strict);
    CHECK(v.kind == VerdictKind::fixable);
    CHECK(v.action == Action::transcode);
    CHECK(find(v, c.code)->severity == Severity::error);
  }
}

TEST_CASE("warnings preparation cannot fix stay warnings under strict", "[rules]") {
  Rules strict;
  strict.strict = true;
  MediaInfo info = good_mp4();
  info.streams[0].video->variable_frame_rate = true;
  info.duration = Seconds(0.2);
  const Verdict v = evaluate(info, strict);
  CHECK(v.kind == VerdictKind::ok);
  CHECK(find(v, "variable_frame_rate")->severity == Severity::warning);
  CHECK(find(v, "duration_short")->severity == Severity::warning);
}

TEST_CASE("durations outside the usual range are warned about", "[rules]") {
  MediaInfo info = good_mp4();
  info.duration = Seconds(5 * 3600);
  CHECK(evaluate(info).has("duration_long"));
  info.duration.reset();
  CHECK(evaluate(info).has("duration_unknown"));
  info.streams[0].duration = Seconds(12);
  CHECK_FALSE(evaluate(info).has("duration_unknown"));
}

TEST_CASE("absurd or unreadable video parameters are rejected", "[rules]") {
  MediaInfo info = good_mp4();
  info.streams[0].video->width = 65535;
  info.streams[0].video->height = 65535;
  CHECK(evaluate(info).has("dimensions_absurd"));
  CHECK(evaluate(info).kind == VerdictKind::rejected);
  info.streams[0].video->width = 0;
  CHECK(evaluate(info).has("video_unreadable"));
}

TEST_CASE("uncommon audio codecs are a warning", "[rules]") {
  MediaInfo info = good_mp4();
  info.streams[1].codec = "opus";
  const Verdict v = evaluate(info);
  CHECK(v.kind == VerdictKind::ok);
  CHECK(v.has("audio_codec"));
  info.streams[1].codec = "mp3";
  CHECK_FALSE(evaluate(info).has("audio_codec"));
}

TEST_CASE("deep check results: corrupt data warns, nothing decodable rejects", "[rules]") {
  MediaInfo info = good_mp4();
  info.deep = DeepCheck{true, 100, 50, 40, 3, "decode: Invalid data", Seconds(0.1), std::nullopt};
  Verdict v = evaluate(info);
  CHECK(v.kind == VerdictKind::ok);
  CHECK(v.has("decode_errors"));
  info.deep->video_frames_decoded = 0;
  v = evaluate(info);
  CHECK(v.kind == VerdictKind::rejected);
  CHECK(v.has("undecodable"));
}

TEST_CASE("probe failures map to rejected verdicts with stable codes", "[rules]") {
  const std::pair<Errc, const char*> cases[] = {
      {Errc::empty_file, "empty_file"},
      {Errc::not_media, "not_media"},
      {Errc::unreadable, "unreadable"},
      {Errc::not_found, "not_found"},
      {Errc::permission_denied, "permission_denied"},
      {Errc::io, "read_error"},
  };
  for (const auto& [kind, code] : cases) {
    const Verdict v = evaluate_failure(Error(kind, "probe x.mp4: reason"));
    CHECK(v.kind == VerdictKind::rejected);
    REQUIRE(v.findings.size() == 1);
    CHECK(v.findings[0].code == code);
    CHECK(v.findings[0].message == "probe x.mp4: reason");
  }
}

TEST_CASE("rules per API generation: v2 takes WebM, FLV, WMV and MPEG, classic and v1 do not",
          "[rules]") {
  using mavi::test::audio_stream;
  using mavi::test::media;
  using mavi::test::video_stream;
  const auto webm = media("a.webm", "matroska,webm", {video_stream("vp9"), audio_stream("aac")});
  const auto flv = media("a.flv", "flv", {video_stream("h264"), audio_stream("aac")});
  const auto wmv = media("a.wmv", "asf", {video_stream("h264"), audio_stream("aac")});
  const auto ts = media("a.ts", "mpegts", {video_stream("h264"), audio_stream("aac")});
  for (const char* generation : {"classic", "v1"}) {
    INFO(generation);
    const Rules rules = rules_for(generation);
    CHECK(rules.rule_set == generation);
    CHECK(evaluate(webm, rules).action == Action::remux);
    CHECK(evaluate(flv, rules).action == Action::remux);
    CHECK(evaluate(wmv, rules).action == Action::remux);
  }
  const Rules v2 = rules_for("v2");
  CHECK(evaluate(webm, v2).kind == VerdictKind::ok);
  CHECK(evaluate(flv, v2).kind == VerdictKind::ok);
  CHECK(evaluate(wmv, v2).kind == VerdictKind::ok);
  CHECK(evaluate(ts, v2).action == Action::remux);  // MPEG-TS is not in v2's list
  // The codecs stay MAVI's documented ones in every generation.
  const auto mpeg4 = media("a.avi", "avi", {video_stream("mpeg4"), audio_stream("mp3")});
  CHECK(evaluate(mpeg4, v2).action == Action::transcode);
  // A rule set keeps the caller's other settings; an unknown generation is an error.
  Rules strict;
  strict.strict = true;
  strict.max_size_bytes = 1000;
  apply_rule_set(strict, "v2");
  CHECK(strict.strict);
  CHECK(strict.max_size_bytes == 1000);
  CHECK_THROWS_AS(rules_for("v9"), Error);
}

TEST_CASE("a generation's rule set is what its API module says it takes", "[rules]") {
  for (const mavi::ApiGenerationInfo& api : mavi::api_generations()) {
    INFO(api.name);
    const Rules rules = rules_for(api.name);
    CHECK(rules.rule_set == api.name);
    CHECK(rules.accepted_containers == api.containers);
    CHECK(rules.accepted_extensions == api.extensions);
  }
  // The defaults are the classic generation's, as Rules' comment says.
  const Rules defaults;
  const Rules classic = rules_for("classic");
  CHECK(defaults.accepted_containers == classic.accepted_containers);
  CHECK(defaults.accepted_extensions == classic.accepted_extensions);
  CHECK(defaults.rule_set == classic.rule_set);
  // An unknown generation's error names the known ones.
  CHECK_THROWS_WITH(rules_for("v9"), Catch::Contains("'v9'") && Catch::Contains("classic, v1, v2"));
}

// probe() on every fixture, cross-checked field by field against `ffprobe -of json`.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "mavi/check.hpp"
#include "mavi/probe.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"

using namespace mavi;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Fixtures that are not media, with the error probe must give for each.
const std::map<std::string, Errc> kBrokenFixtures = {
    {"empty.mp4", Errc::empty_file},
    {"text_renamed.mp4", Errc::not_media},
    {"image_renamed.mp4", Errc::not_media},
    {"truncated.mp4", Errc::unreadable},
};

std::vector<std::filesystem::path> media_fixtures() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(test::fixture(""))) {
    const auto name = entry.path().filename().string();
    const auto ext = entry.path().extension().string();
    if (!entry.is_regular_file() || ext == ".md" || ext == ".sh")
      continue;
    if (kBrokenFixtures.count(name) != 0)
      continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

json ffprobe(const std::filesystem::path& path) {
  const auto result = test::run(
      {"ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", path.string()});
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

std::string rate_text(const Rational& r) {
  return std::to_string(r.num) + "/" + std::to_string(r.den);
}

std::string str(const json& object, const char* key) {
  return object.contains(key) ? object[key].get<std::string>() : "";
}

void compare_stream(const StreamInfo& mine, const json& theirs) {
  INFO("stream " << mine.index);
  CHECK(mine.index == theirs["index"].get<int>());
  CHECK(std::string(to_string(mine.type)) == theirs["codec_type"].get<std::string>());
  CHECK(mine.codec == str(theirs, "codec_name"));
  if (theirs.contains("profile"))
    CHECK(mine.profile == theirs["profile"].get<std::string>());
  if (theirs.contains("level") && theirs["level"].get<int>() > 0) {
    CHECK(mine.level == theirs["level"].get<int>());
  }
  const bool attached = theirs["disposition"]["attached_pic"].get<int>() == 1;
  CHECK(mine.is_default == (theirs["disposition"]["default"].get<int>() == 1));
  if (mine.type == StreamType::video) {
    REQUIRE(mine.video);
    const VideoInfo& v = *mine.video;
    CHECK(v.width == theirs["width"].get<int>());
    CHECK(v.height == theirs["height"].get<int>());
    CHECK(v.pixel_format == str(theirs, "pix_fmt"));
    CHECK(v.attached_picture == attached);
    CHECK(rate_text(v.nominal_frame_rate) == str(theirs, "r_frame_rate"));
    if (v.average_frame_rate.valid()) {
      CHECK(rate_text(v.average_frame_rate) == str(theirs, "avg_frame_rate"));
    }
    const std::string field_order = str(theirs, "field_order");
    CHECK(v.field_order == (field_order == "unknown" ? "" : field_order));
    CHECK(v.color_transfer == str(theirs, "color_transfer"));
    CHECK(v.color_primaries == str(theirs, "color_primaries"));
    if (theirs.contains("sample_aspect_ratio") && theirs["sample_aspect_ratio"] != "0:1") {
      CHECK(std::to_string(v.sample_aspect_ratio.num) + ":" +
                std::to_string(v.sample_aspect_ratio.den) ==
            theirs["sample_aspect_ratio"].get<std::string>());
    }
    double rotation = 0;
    for (const auto& side : theirs.value("side_data_list", json::array())) {
      if (side.contains("rotation"))
        rotation = side["rotation"].get<double>();
    }
    CHECK(v.rotation_degrees == Approx(rotation));
  }
  if (mine.type == StreamType::audio) {
    REQUIRE(mine.audio);
    CHECK(mine.audio->sample_rate == std::stoi(str(theirs, "sample_rate")));
    CHECK(mine.audio->channels == theirs["channels"].get<int>());
    if (theirs.contains("channel_layout")) {
      CHECK(mine.audio->channel_layout == theirs["channel_layout"].get<std::string>());
    }
    const std::string language =
        theirs.contains("tags") ? theirs["tags"].value("language", "") : "";
    CHECK(mine.audio->language == language);
  }
}

}  // namespace

TEST_CASE("probe agrees with ffprobe on every media fixture", "[probe][media]") {
  REQUIRE(test::on_path("ffprobe"));
  const auto files = media_fixtures();
  REQUIRE(files.size() >= 20);
  for (const auto& path : files) {
    DYNAMIC_SECTION(path.filename().string()) {
      const MediaInfo mine = probe(path);
      const json theirs = ffprobe(path);
      const json& format = theirs["format"];
      CHECK(mine.format_name == format["format_name"].get<std::string>());
      CHECK(mine.format_long_name == format["format_long_name"].get<std::string>());
      CHECK(mine.size_bytes == std::stoull(format["size"].get<std::string>()));
      CHECK(mine.size_bytes == std::filesystem::file_size(path));
      if (format.contains("duration")) {
        REQUIRE(mine.duration);
        CHECK(mine.duration->count() ==
              Approx(std::stod(format["duration"].get<std::string>())).margin(0.001));
      }
      if (format.contains("bit_rate")) {
        CHECK(mine.bit_rate == std::stoll(format["bit_rate"].get<std::string>()));
      }
      REQUIRE(mine.streams.size() == theirs["streams"].size());
      for (std::size_t i = 0; i < mine.streams.size(); ++i) {
        compare_stream(mine.streams[i], theirs["streams"][i]);
      }
    }
  }
}

TEST_CASE("probe derives what ffprobe leaves to the reader", "[probe][media]") {
  SECTION("bit depth and chroma subsampling") {
    const MediaInfo info = probe(test::fixture("hevc_10bit.mkv"));
    CHECK(info.primary_video()->video->bit_depth == 10);
    CHECK(info.primary_video()->video->chroma_subsampling == "4:2:0");
    const MediaInfo yuv444 = probe(test::fixture("h264_444.mp4"));
    CHECK(yuv444.primary_video()->video->bit_depth == 8);
    CHECK(yuv444.primary_video()->video->chroma_subsampling == "4:4:4");
  }
  SECTION("HDR kind") {
    CHECK(probe(test::fixture("hdr_pq.mkv")).primary_video()->video->hdr == HdrKind::pq);
    CHECK(probe(test::fixture("hdr_hlg.mp4")).primary_video()->video->hdr == HdrKind::hlg);
    CHECK(probe(test::fixture("h264_aac.mp4")).primary_video()->video->hdr == HdrKind::none);
  }
  SECTION("variable frame rate") {
    CHECK(probe(test::fixture("vfr.mp4")).primary_video()->video->variable_frame_rate);
    CHECK_FALSE(probe(test::fixture("h264_aac.mp4")).primary_video()->video->variable_frame_rate);
  }
  SECTION("interlacing") {
    CHECK(probe(test::fixture("interlaced.mp4")).primary_video()->video->interlaced);
    CHECK_FALSE(probe(test::fixture("h264_aac.mp4")).primary_video()->video->interlaced);
  }
  SECTION("cover art is not the primary video") {
    const MediaInfo info = probe(test::fixture("cover_art_audio.m4a"));
    CHECK(info.primary_video() == nullptr);
    CHECK(info.primary_audio() != nullptr);
  }
  SECTION("display aspect ratio") {
    const MediaInfo info = probe(test::fixture("h264_aac.mp4"));
    const auto& v = *info.primary_video()->video;
    CHECK(v.display_aspect_ratio.value() == Approx(static_cast<double>(v.width) / v.height));
  }
}

TEST_CASE("probe fails with a precise error kind on files that are not media", "[probe][media]") {
  for (const auto& [name, kind] : kBrokenFixtures) {
    DYNAMIC_SECTION(name) {
      try {
        probe(test::fixture(name));
        FAIL("probe accepted " << name);
      } catch (const Error& error) {
        CHECK(error.kind() == kind);
        CHECK(std::string(error.what()).find(name) != std::string::npos);
      }
    }
  }
  try {
    probe(test::fixture("does-not-exist.mp4"));
    FAIL("probe accepted a missing file");
  } catch (const Error& error) {
    CHECK(error.kind() == Errc::not_found);
  }
}

TEST_CASE("check gives every fixture the verdict fixtures/README.md promises", "[check][media]") {
  const std::map<std::string, VerdictKind> expected = {
      {"h264_aac.mp4", VerdictKind::ok},
      {"hevc_aac.mkv", VerdictKind::ok},
      {"h264_noaudio.mp4", VerdictKind::ok},
      {"vp9_opus.webm", VerdictKind::fixable},
      {"h264_aac.ts", VerdictKind::fixable},
      {"mpeg4_mp3.avi", VerdictKind::fixable},
      {"mjpeg_pcm.mov", VerdictKind::fixable},
      {"audio_only.m4a", VerdictKind::rejected},
      {"cover_art_audio.m4a", VerdictKind::rejected},
      {"truncated.mp4", VerdictKind::rejected},
      {"empty.mp4", VerdictKind::rejected},
      {"text_renamed.mp4", VerdictKind::rejected},
      {"image_renamed.mp4", VerdictKind::rejected},
  };
  for (const auto& [name, kind] : expected) {
    DYNAMIC_SECTION(name) {
      const CheckResult result = check(test::fixture(name));
      CHECK(result.verdict.kind == kind);
    }
  }
  CHECK(check(test::fixture("h264_aac.ts")).verdict.action == Action::remux);
  CHECK(check(test::fixture("mpeg4_mp3.avi")).verdict.action == Action::transcode);
  CHECK(check(test::fixture("h264_noaudio.mp4")).verdict.has("no_audio_track"));
  CHECK(check(test::fixture("rotated_90.mp4")).verdict.has("rotation"));
  CHECK(check(test::fixture("cover_art_audio.m4a")).verdict.has("no_video_stream"));
}

TEST_CASE("deep check decodes every frame and finds corruption headers hide", "[probe][media]") {
  ProbeOptions deep;
  deep.deep = true;
  const MediaInfo clean = probe(test::fixture("h264_aac.mp4"), deep);
  REQUIRE(clean.deep);
  CHECK(clean.deep->completed);
  CHECK(clean.deep->decode_errors == 0);
  CHECK(clean.deep->video_frames_decoded == 25);
  CHECK(clean.deep->audio_frames_decoded > 0);

  // Overwrite the middle of the media data: headers stay intact, frames do not.
  test::TempDir dir;
  const auto damaged = dir / "damaged.ts";
  std::filesystem::copy_file(test::fixture("h264_aac.ts"), damaged);
  {
    std::FILE* f = std::fopen(damaged.c_str(), "r+b");
    REQUIRE(f != nullptr);
    const long size = static_cast<long>(std::filesystem::file_size(damaged));
    std::fseek(f, size / 3, SEEK_SET);
    std::vector<char> noise(static_cast<std::size_t>(size / 4));
    for (std::size_t i = 0; i < noise.size(); ++i)
      noise[i] = static_cast<char>((i * 7919) % 251);
    std::fwrite(noise.data(), 1, noise.size(), f);
    std::fclose(f);
  }
  CHECK_NOTHROW(probe(damaged));  // headers alone look fine
  const MediaInfo info = probe(damaged, deep);
  REQUIRE(info.deep);
  CHECK(info.deep->decode_errors > 0);
  CHECK_FALSE(info.deep->first_error.empty());
  CHECK(evaluate(info).has("decode_errors"));
}

TEST_CASE("probe_memory reads bytes in memory exactly as probe reads the file", "[probe][media]") {
  for (const auto& path : media_fixtures()) {
    DYNAMIC_SECTION(path.filename().string()) {
      std::ifstream in(path, std::ios::binary);
      const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                             std::istreambuf_iterator<char>());
      const MediaInfo from_file = probe(path);
      const MediaInfo from_memory = probe_memory(bytes, path.filename().string());
      CHECK(from_memory.format_name == from_file.format_name);
      CHECK(from_memory.size_bytes == from_file.size_bytes);
      REQUIRE(from_memory.streams.size() == from_file.streams.size());
      for (std::size_t i = 0; i < from_file.streams.size(); ++i) {
        CHECK(from_memory.streams[i].codec == from_file.streams[i].codec);
        CHECK(from_memory.streams[i].type == from_file.streams[i].type);
      }
    }
  }
  for (const auto& [name, kind] : kBrokenFixtures) {
    std::ifstream in(test::fixture(name), std::ios::binary);
    const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                           std::istreambuf_iterator<char>());
    try {
      probe_memory(bytes, name);
      FAIL("probe_memory accepted " << name);
    } catch (const Error& error) {
      CHECK(error.kind() == kind);
    }
  }
}

TEST_CASE("a video whose first key frame lies beyond the probe size is analysed in full",
          "[probe][media]") {
  // Parameter sets on every packet, one key frame at the start, and the start cut off: FFmpeg's
  // full analysis learns size and pixel format from the first P slice, the key-frames-only
  // analysis probe() tries first learns nothing, so probe() must fall back to the full one.
  test::TempDir dir;
  const fs::path whole = dir.path() / "whole.ts";
  const auto made = test::run({"ffmpeg",
                               "-v",
                               "error",
                               "-f",
                               "lavfi",
                               "-i",
                               "testsrc2=size=320x240:rate=25",
                               "-t",
                               "4",
                               "-c:v",
                               "libx264",
                               "-preset",
                               "ultrafast",
                               "-flags",
                               "+global_header",
                               "-x264-params",
                               "keyint=300:min-keyint=300:scenecut=0",
                               "-bsf:v",
                               "dump_extra=freq=all",
                               "-f",
                               "mpegts",
                               whole.string()});
  REQUIRE(made.exit_code == 0);
  std::ifstream in(whole, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t kCut = 100 * 188;  // whole MPEG-TS packets, past the key frame
  REQUIRE(bytes.size() > kCut * 4);
  const fs::path cut = dir.path() / "no_key_frame.ts";
  std::ofstream(cut, std::ios::binary) << bytes.substr(kCut);

  const MediaInfo info = probe(cut);
  const StreamInfo* video = info.primary_video();
  REQUIRE(video != nullptr);
  REQUIRE(video->video);
  CHECK(video->video->width == 320);
  CHECK(video->video->height == 240);
  CHECK(video->video->pixel_format == "yuv420p");
  // The same through probe_memory (which reads the bytes again from the start to fall back).
  const std::vector<unsigned char> data(bytes.begin() + kCut, bytes.end());
  const MediaInfo from_memory = probe_memory(data, "no_key_frame.ts");
  REQUIRE(from_memory.primary_video() != nullptr);
  CHECK(from_memory.primary_video()->video->pixel_format == "yuv420p");
}

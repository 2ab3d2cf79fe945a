// Hostile and broken inputs for mavi-check, each generated here in a TempDir: the program must
// name the file, give the documented exit code (2 for rejected), never crash (exit < 128),
// leave the input untouched, and stay within memory (ulimit -v) and time (run() timeout).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;
using mavi::test::ffmpeg;
using mavi::test::fixture;
using mavi::test::RunResult;
using mavi::test::TempDir;
using nlohmann::json;

#if defined(__SANITIZE_ADDRESS__)
#define MAVI_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAVI_TEST_ASAN 1
#endif
#endif

namespace {

// AddressSanitizer reserves terabytes of address space: an address-space limit would only
// break it, so under sanitizers the memory bound is ASan's own (it reports runaway allocations).
#ifdef MAVI_TEST_ASAN
constexpr const char* kLimitScript = "exec \"$@\"";
#else
constexpr const char* kLimitScript = "ulimit -v 2000000 && exec \"$@\"";  // 2 GB address space
#endif

RunResult bounded(const std::vector<std::string>& args,
                  std::chrono::seconds timeout = std::chrono::seconds(120)) {
  std::vector<std::string> argv{"bash", "-c", kLimitScript, "mavi-check",
                                mavi::test::program("mavi-check").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  mavi::test::RunOptions options;
  options.timeout = timeout;
  return mavi::test::run(argv, options);
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// Deterministic noise, so a failure reproduces.
std::string noise(std::size_t size, unsigned seed = 1) {
  std::string s(size, '\0');
  unsigned x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return s;
}

json parse_json(const RunResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  // nlohmann::json::parse rejects invalid UTF-8: parsing is also the UTF-8 validity check.
  json doc = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  return doc;
}

bool has_code(const json& entry, const std::string& code) {
  return std::any_of(entry.at("findings").begin(), entry.at("findings").end(),
                     [&](const json& f) { return f.at("code") == code; });
}

struct Outcome {
  int exit_code = -1;
  json entry;       // the file's entry in --json output
  std::string out;  // human output
};

// Runs mavi-check on one path (human and --json), checking the invariants every hostile input
// shares: no crash, the path named in both outputs, and the input bytes unchanged.
Outcome check_one(const fs::path& path, const std::vector<std::string>& extra = {}) {
  const bool regular = fs::is_regular_file(fs::symlink_status(path));
  const std::string before = regular ? read_all(path) : std::string();

  std::vector<std::string> args = extra;
  args.push_back("--");
  args.push_back(path.string());
  const RunResult human = bounded(args);
  INFO("human: " << human.out << human.err);
  CHECK(human.exit_code >= 0);
  CHECK(human.exit_code < 128);
  CHECK(human.out.find(path.string()) != std::string::npos);

  args.insert(args.begin(), "--json");
  const RunResult machine = bounded(args);
  INFO("json: " << machine.out << machine.err);
  CHECK(machine.exit_code == human.exit_code);
  CHECK(machine.exit_code < 128);
  const json doc = parse_json(machine);
  REQUIRE(doc.at("files").size() == 1);
  const json entry = doc.at("files").at(0);
  CHECK(entry.at("path") == path.string());
  if (entry.at("verdict") == "rejected") {
    // A rejected file always says why, in words a person reads.
    REQUIRE_FALSE(entry.at("findings").empty());
    CHECK_FALSE(entry.at("findings").at(0).at("message").get<std::string>().empty());
  }
  if (regular)
    CHECK(read_all(path) == before);  // input untouched
  return {machine.exit_code, entry, human.out};
}

void expect_rejected(const fs::path& path, const std::string& code,
                     const std::vector<std::string>& extra = {}) {
  const Outcome o = check_one(path, extra);
  INFO(path << ": " << o.entry.dump());
  CHECK(o.exit_code == 2);
  CHECK(o.entry.at("verdict") == "rejected");
  CHECK(has_code(o.entry, code));
}

// A named PATH that is not a file mavi-check can examine (device, FIFO, loop, missing) is an
// error note (docs/check-json.md: `notes`), named on stderr, with exit status 2.
void expect_note(const fs::path& path, const std::string& reason) {
  const RunResult human = bounded({"--", path.string()}, std::chrono::seconds(60));
  INFO("human: " << human.out << human.err);
  CHECK(human.exit_code == 2);
  CHECK(human.err.find(path.string()) != std::string::npos);
  const RunResult machine = bounded({"--json", "--", path.string()}, std::chrono::seconds(60));
  INFO("json: " << machine.out << machine.err);
  CHECK(machine.exit_code == 2);
  const json doc = parse_json(machine);
  CHECK(doc.at("files").empty());
  REQUIRE(doc.at("notes").size() == 1);
  const json& note = doc.at("notes").at(0);
  CHECK(note.at("path") == path.string());
  CHECK(note.at("error") == true);
  CHECK(note.at("reason").get<std::string>().find(reason) != std::string::npos);
}

void truncate_copy(const fs::path& from, const fs::path& to, double fraction) {
  const std::string bytes = read_all(from);
  write_all(
      to, bytes.substr(0, static_cast<std::size_t>(static_cast<double>(bytes.size()) * fraction)));
}

// Overwrites 4 bytes big-endian at `offset`.
void put_be32(std::string& bytes, std::size_t offset, std::uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[offset + static_cast<std::size_t>(i)] = static_cast<char>(value >> (24 - 8 * i));
}

// A video of `seconds` seconds large enough that reading it takes a while (for races).
fs::path make_long_video(const TempDir& tmp, const std::string& name, int seconds) {
  const fs::path path = tmp / name;
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=" + std::to_string(seconds),
          "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", path.string()});
  return path;
}

}  // namespace

TEST_CASE("hostile: zero-byte file", "[hostile]") {
  TempDir tmp;
  write_all(tmp / "zero.mp4", "");
  expect_rejected(tmp / "zero.mp4", "empty_file");
  write_all(tmp / "zero.mkv", "");
  expect_rejected(tmp / "zero.mkv", "empty_file", {"--deep"});
}

TEST_CASE("hostile: MP4 and MKV truncated at 10%, 50% and 90%", "[hostile]") {
  TempDir tmp;
  for (const char* name : {"h264_aac.mp4", "hevc_aac.mkv", "h264_aac.ts"}) {
    for (const double fraction : {0.1, 0.5, 0.9}) {
      const fs::path cut =
          tmp / ("cut" + std::to_string(static_cast<int>(fraction * 100)) + "_" + name);
      truncate_copy(fixture(name), cut, fraction);
      INFO(cut);
      const Outcome o = check_one(cut, {"--deep"});
      INFO(o.entry.dump());
      if (o.entry.at("verdict") == "rejected") {
        CHECK(o.exit_code == 2);
      } else {
        // Streamable containers stay playable when cut; the deep check must then say the end
        // is missing or broken rather than pass the file silently.
        CHECK(o.exit_code <= 1);
        // MPEG-TS declares no duration: a cut one is just a shorter stream.
        // The last 10 % of a 1 s file is within the ends_early tolerance.
        if (std::string_view(name).ends_with(".ts") || fraction > 0.5)
          continue;
        CHECK((has_code(o.entry, "ends_early") || has_code(o.entry, "decode_errors")));
      }
    }
  }
  // An MP4 without its moov atom cannot be read at all.
  const fs::path mp4 = tmp / "cut_h264.mp4";
  truncate_copy(fixture("h264_aac.mp4"), mp4, 0.5);
  const std::string bytes = read_all(mp4);
  if (bytes.find("moov") == std::string::npos)
    expect_rejected(mp4, "unreadable");
}

TEST_CASE("hostile: corrupt packets in the middle are a decode_errors finding with --deep",
          "[hostile]") {
  TempDir tmp;
  const fs::path path = tmp / "corrupt middle.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=4", "-c:v", "libx264",
          "-preset", "ultrafast", "-g", "100", path.string()});
  std::string bytes = read_all(path);
  const std::string bad = noise(bytes.size() / 5, 7);
  bytes.replace(bytes.size() / 2, bad.size(), bad);
  write_all(path, bytes);

  const Outcome shallow = check_one(path);
  CHECK(shallow.exit_code < 2);  // headers alone look fine
  const Outcome deep = check_one(path, {"--deep"});
  INFO(deep.entry.dump());
  CHECK(has_code(deep.entry, "decode_errors"));
}

TEST_CASE("hostile: garbage after a valid header", "[hostile]") {
  TempDir tmp;
  for (const char* name : {"h264_aac.mp4", "hevc_aac.mkv", "mpeg4_mp3.avi"}) {
    const std::string head = read_all(fixture(name)).substr(0, 64);
    const fs::path path = tmp / (std::string("garbage_") + name);
    write_all(path, head + noise(200'000, 3));
    INFO(path);
    const Outcome o = check_one(path, {"--deep"});
    CHECK(o.exit_code == 2);
    CHECK(o.entry.at("verdict") == "rejected");
  }
}

TEST_CASE("hostile: text, image and random bytes with video extensions", "[hostile]") {
  TempDir tmp;
  write_all(tmp / "notes.mkv", "This is not a video.\nJust some text.\n");
  expect_rejected(tmp / "notes.mkv", "not_media");
  write_all(tmp / "notes.avi", std::string(100'000, 'a'));
  expect_rejected(tmp / "notes.avi", "not_media");
  write_all(tmp / "random.mov", noise(300'000, 11));
  const Outcome random = check_one(tmp / "random.mov", {"--deep"});
  CHECK(random.exit_code == 2);

  ffmpeg(
      {"-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", (tmp / "pic.png").string()});
  fs::copy_file(tmp / "pic.png", tmp / "picture.mp4");
  expect_rejected(tmp / "picture.mp4", "not_media");
  ffmpeg(
      {"-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", (tmp / "pic.jpg").string()});
  fs::copy_file(tmp / "pic.jpg", tmp / "photo.mov");
  expect_rejected(tmp / "photo.mov", "not_media");
}

TEST_CASE("hostile: audio only", "[hostile]") {
  TempDir tmp;
  ffmpeg({"-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", (tmp / "voice.mp4").string()});
  expect_rejected(tmp / "voice.mp4", "no_video_stream");
  ffmpeg({"-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libopus", (tmp / "voice.mkv").string()});
  expect_rejected(tmp / "voice.mkv", "no_video_stream", {"--deep"});
}

TEST_CASE("hostile: absurd dimensions declared in the header", "[hostile]") {
  TempDir tmp;
  // Raw video takes its size from the container alone: patch Matroska's PixelWidth and
  // PixelHeight (IDs 0xB0 and 0xBA, 2-byte values for 64x48) to 65535x65535.
  const fs::path path = tmp / "huge.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=256x256:rate=5:duration=0.4", "-c:v", "rawvideo",
          "-pix_fmt", "yuv420p", path.string()});
  std::string bytes = read_all(path);
  const std::string width("\xB0\x82\x01\x00", 4), height("\xBA\x82\x01\x00", 4);
  const auto w = bytes.find(width), h = bytes.find(height);
  REQUIRE(w != std::string::npos);
  REQUIRE(h != std::string::npos);
  bytes.replace(w, 4, std::string("\xB0\x82\xFF\xFF", 4));
  bytes.replace(h, 4, std::string("\xBA\x82\xFF\xFF", 4));
  write_all(path, bytes);
  // Cross-check that the patch took: ffprobe now refuses the 65535x65535 size.
  const RunResult oracle = mavi::test::run(
      {"ffprobe", "-v", "error", "-show_entries", "stream=width,height", path.string()});
  CHECK(oracle.err.find("65535x65535") != std::string::npos);

  const Outcome o = check_one(path, {"--deep"});
  INFO(o.entry.dump());
  CHECK(o.exit_code == 2);
  CHECK(o.entry.at("verdict") == "rejected");
  CHECK((has_code(o.entry, "dimensions_absurd") || has_code(o.entry, "video_unreadable")));
}

TEST_CASE("hostile: absurd frame rate", "[hostile]") {
  TempDir tmp;
  // One frame per microsecond: a 1,000,000 fps time base with consecutive timestamps.
  const fs::path path = tmp / "fast.mp4";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25:duration=1", "-c:v", "libx264",
          "-preset", "ultrafast", "-bf", "0", "-video_track_timescale", "1000000", "-bsf:v",
          "setts=ts=N", path.string()});
  const RunResult oracle =
      mavi::test::run({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                       "stream=r_frame_rate", "-of", "csv=p=0", path.string()});
  INFO("ffprobe: " << oracle.out);
  CHECK(oracle.out.find("1000000/1") != std::string::npos);
  const Outcome o = check_one(path, {"--deep"});
  INFO(o.entry.dump());
  CHECK(o.exit_code < 128);
  CHECK(has_code(o.entry, "frame_rate_high"));
}

TEST_CASE("hostile: huge declared duration", "[hostile]") {
  TempDir tmp;
  const fs::path path = tmp / "forever.mp4";
  std::string bytes = read_all(fixture("h264_aac.mp4"));
  // mvhd and every mdhd (version 0): size, type, version+flags, created, modified, timescale,
  // duration. Claim 0xFFFFFFFF ticks.
  int patched = 0;
  for (const char* box : {"mvhd", "mdhd"}) {
    for (auto at = bytes.find(box); at != std::string::npos; at = bytes.find(box, at + 4)) {
      if (bytes[at + 4] != 0)
        continue;  // version 1 boxes have 64-bit fields
      put_be32(bytes, at + 4 + 16, 0xFFFFFFFF);
      ++patched;
    }
  }
  REQUIRE(patched >= 2);
  write_all(path, bytes);
  const Outcome shallow = check_one(path);
  CHECK(shallow.exit_code < 2);  // still a real, short video underneath
  const Outcome o = check_one(path, {"--deep"});
  INFO(o.entry.dump());
  CHECK(o.exit_code < 2);
  CHECK(has_code(o.entry, "ends_early"));  // the deep check sees the claim is false
}

TEST_CASE("hostile: thousands of streams", "[hostile]") {
  TempDir tmp;
  const fs::path source = tmp / "source.mkv";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=5:duration=0.4", "-f", "lavfi", "-i",
          "sine=duration=0.4:sample_rate=8000", "-c:v", "libx264", "-preset", "ultrafast", "-c:a",
          "pcm_s16le", source.string()});
  const fs::path many = tmp / "many streams.mkv";
  std::vector<std::string> args{"-i", source.string(), "-map", "0:v"};
  // 999 audio streams + 1 video: FFmpeg's max_streams default (1000) caps both the muxer that
  // makes the file and the demuxer that reads it.
  for (int i = 0; i < 999; ++i) {
    args.push_back("-map");
    args.push_back("0:a");
  }
  args.insert(args.end(), {"-c", "copy", many.string()});
  ffmpeg(args);
  const Outcome o = check_one(many, {"--deep"});
  INFO(o.entry.dump());
  CHECK(o.exit_code < 2);
  CHECK(o.entry.at("media").at("streams").size() == 1000);
}

TEST_CASE("hostile: paths with spaces, quotes, newlines and invalid UTF-8", "[hostile]") {
  TempDir tmp;
  const std::vector<std::string> names{"with space.mp4",  "quote\"d.mp4",  "it's.mp4",
                                       "back\\slash.mp4", "new\nline.mp4", "bad\xff\xfe.mp4",
                                       "tab\there.mp4",   "$(touch x).mp4"};
  for (const auto& name : names) {
    fs::copy_file(fixture("h264_aac.mp4"), tmp / name);
    const fs::path path = tmp / name;
    const std::string before = read_all(path);
    for (const bool json_out : {false, true}) {
      std::vector<std::string> args{"--", path.string()};
      if (json_out)
        args.insert(args.begin(), "--json");
      const RunResult r = bounded(args);
      INFO(name << ": " << r.out << r.err);
      CHECK(r.exit_code == 0);
      if (json_out) {
        const json doc = parse_json(r);  // valid UTF-8 JSON whatever the name
        REQUIRE(doc.at("files").size() == 1);
        CHECK(doc.at("files").at(0).at("verdict") == "ok");
      }
    }
    CHECK(read_all(path) == before);
  }
  CHECK_FALSE(fs::exists(tmp / "x"));  // nothing was run through a shell
  // The whole folder at once, too.
  const RunResult all = bounded({"--json", tmp.path().string()});
  CHECK(all.exit_code == 0);
  CHECK(parse_json(all).at("files").size() == names.size());
}

TEST_CASE("hostile: a name starting with '-'", "[hostile]") {
  TempDir tmp;
  fs::copy_file(fixture("h264_aac.mp4"), tmp / "-x.mp4");
  const fs::path old_cwd = fs::current_path();
  fs::current_path(tmp.path());
  const RunResult after_dashes = bounded({"--json", "--", "-x.mp4"});
  const RunResult dotted = bounded({"--json", "./-x.mp4"});
  const RunResult bare = bounded({"-x.mp4"});
  fs::current_path(old_cwd);
  INFO(after_dashes.out << after_dashes.err << dotted.out << dotted.err);
  CHECK(after_dashes.exit_code == 0);
  CHECK(parse_json(after_dashes).at("files").at(0).at("path") == "-x.mp4");
  CHECK(dotted.exit_code == 0);
  CHECK(parse_json(dotted).at("files").at(0).at("path") == "./-x.mp4");
  CHECK(bare.exit_code == 64);  // an option it does not know: a usage error, not a crash
}

TEST_CASE("hostile: symlink loops in a scanned folder", "[hostile]") {
  TempDir tmp;
  fs::create_directory(tmp / "videos");
  fs::copy_file(fixture("h264_aac.mp4"), tmp / "videos" / "real.mp4");
  fs::create_directory_symlink("..", tmp / "videos" / "up");   // loops back to the top
  fs::create_directory_symlink(".", tmp / "videos" / "self");  // loops onto itself
  fs::create_symlink("b.mp4", tmp / "videos" / "a.mp4");       // a -> b -> a
  fs::create_symlink("a.mp4", tmp / "videos" / "b.mp4");
  fs::create_symlink("missing.mp4", tmp / "videos" / "dangling.mp4");  // to nothing
  const RunResult r = bounded({"--json", (tmp / "videos").string()}, std::chrono::seconds(60));
  INFO(r.out << r.err);
  CHECK(r.exit_code < 128);
  const json doc = parse_json(r);
  int real = 0;
  for (const auto& f : doc.at("files")) {
    if (f.at("path").get<std::string>().ends_with("real.mp4"))
      ++real;
  }
  CHECK(real >= 1);
  CHECK(doc.at("files").size() < 20);  // the loops were not followed round and round
  // A loop named explicitly is a clear error.
  expect_note(tmp / "videos" / "a.mp4", "symlink loop");
}

TEST_CASE("hostile: FIFO and device files do not hang", "[hostile]") {
  TempDir tmp;
  REQUIRE(::mkfifo((tmp / "pipe.mkv").c_str(), 0600) == 0);
  expect_note(tmp / "pipe.mkv", "FIFO");
  fs::copy_file(fixture("h264_aac.mp4"), tmp / "ok.mp4");
  const RunResult walked = bounded({tmp.path().string()}, std::chrono::seconds(60));
  INFO(walked.out << walked.err);
  CHECK(walked.exit_code == 0);
  for (const char* device : {"/dev/null", "/dev/zero", "/dev/urandom"})
    expect_note(device, "character device");
}

TEST_CASE("hostile: a folder or a missing path named as a video", "[hostile]") {
  TempDir tmp;
  fs::create_directory(tmp / "folder.mp4");
  const RunResult dir = bounded({"--json", "--all-files", (tmp / "folder.mp4").string()});
  CHECK(dir.exit_code == 0);  // an empty folder: nothing to check, a note
  CHECK(parse_json(dir).at("files").empty());
  expect_note(tmp / "missing.mp4", "does not exist");
}

TEST_CASE("hostile: an unreadable file", "[hostile]") {
  TempDir tmp;
  fs::copy_file(fixture("h264_aac.mp4"), tmp / "secret.mp4");
  fs::permissions(tmp / "secret.mp4", fs::perms::none);
  std::vector<std::string> argv{"bash",
                                "-c",
                                kLimitScript,
                                "mavi-check",
                                mavi::test::program("mavi-check").string(),
                                "--json",
                                (tmp / "secret.mp4").string()};
  if (::geteuid() == 0) {
    // Root reads anything: drop to nobody, as the other CLI tests do.
    if (!mavi::test::on_path("setpriv"))
      MAVI_SKIP("running as root without setpriv: permission case not exercised");
    fs::permissions(tmp.path(),
                    fs::perms::owner_all | fs::perms::others_exec | fs::perms::others_read);
    argv.insert(argv.begin(),
                {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  }
  const RunResult r = mavi::test::run(argv);
  INFO(r.out << r.err);
  if (r.out.empty())
    MAVI_SKIP("could not run mavi-check as an unprivileged user: " << r.err);
  CHECK(r.exit_code == 2);
  const json doc = parse_json(r);
  CHECK(has_code(doc.at("files").at(0), "permission_denied"));
  fs::permissions(tmp / "secret.mp4", fs::perms::owner_read);
  CHECK(read_all(tmp / "secret.mp4") == read_all(fixture("h264_aac.mp4")));
}

TEST_CASE("hostile: a file truncated or deleted while --deep reads it", "[hostile]") {
  TempDir tmp;
  const fs::path path = make_long_video(tmp, "shrinking.mkv", 30);
  const auto full_size = fs::file_size(path);
  for (const bool remove : {false, true}) {
    std::atomic<bool> done{false};
    // Best effort race: shrink (or unlink) the file shortly after the check starts.
    std::thread saboteur([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      if (remove)
        fs::remove(path);
      else
        fs::resize_file(path, full_size / 3);
      done = true;
    });
    const RunResult r = bounded({"--json", "--deep", "--", path.string()});
    saboteur.join();
    INFO((remove ? "deleted: " : "truncated: ") << r.out << r.err);
    CHECK(r.exit_code >= 0);
    CHECK(r.exit_code < 128);
    const json doc = parse_json(r);
    // On a loaded machine the file may be gone before the program looks at it: then it is
    // a "does not exist" note instead of a file entry. Either way it is named, once.
    const auto entries = doc.at("files").size() + doc.at("notes").size();
    CHECK(entries == 1);
    CHECK(r.out.find(path.filename().string()) != std::string::npos);
    if (remove)
      break;
    fs::remove(path);
    make_long_video(tmp, "shrinking.mkv", 30);
  }
}

TEST_CASE("hostile: a file that grows while it is checked", "[hostile]") {
  TempDir tmp;
  const fs::path path = make_long_video(tmp, "growing.ts", 10);
  const std::string original = read_all(path);
  std::atomic<bool> stop{false};
  // Keep appending (as a recorder would) during the check.
  std::thread writer([&] {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    for (int i = 0; i < 200 && !stop; ++i) {
      out.write(original.data(), std::min<std::streamsize>(
                                     188 * 512, static_cast<std::streamsize>(original.size())));
      out.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  const RunResult r = bounded({"--json", "--deep", "--", path.string()});
  stop = true;
  writer.join();
  INFO(r.out << r.err);
  CHECK(r.exit_code < 128);
  const json doc = parse_json(r);
  REQUIRE(doc.at("files").size() == 1);
  CHECK(doc.at("files").at(0).at("path") == path.string());
  CHECK(read_all(path).substr(0, original.size()) == original);  // only appended to
}

TEST_CASE("hostile: names that look like FFmpeg protocols are plain files", "[hostile]") {
  TempDir tmp;
  const fs::path old_cwd = fs::current_path();
  fs::current_path(tmp.path());
  fs::copy_file(fixture("h264_aac.mp4"), "pipe:0.mp4");
  fs::copy_file(fixture("h264_aac.mp4"), "concat:a.mp4");
  const RunResult pipe = bounded({"--json", "pipe:0.mp4"});
  const RunResult concat = bounded({"--json", "concat:a.mp4"});
  fs::current_path(old_cwd);
  INFO(pipe.out << pipe.err << concat.out << concat.err);
  CHECK(pipe.exit_code == 0);  // read from the file, not from stdin
  CHECK(parse_json(pipe).at("files").at(0).at("verdict") == "ok");
  CHECK(concat.exit_code == 0);
}

TEST_CASE("hostile: playlists and stream descriptions named as videos are refused", "[hostile]") {
  TempDir tmp;
  // Probing these would open what they name: a device that never ends, the network.
  write_all(tmp / "playlist.mp4",
            "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n/dev/zero\n#EXTINF:10,\n"
            "http://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n");
  expect_rejected(tmp / "playlist.mp4", "not_media");
  write_all(tmp / "list.mkv", "ffconcat version 1.0\nfile '/dev/zero'\n");
  expect_rejected(tmp / "list.mkv", "not_media");
  write_all(tmp / "session.mov",
            "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\n"
            "m=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000\n");
  expect_rejected(tmp / "session.mov", "not_media");
}

TEST_CASE("hostile: a 4 GB file (a real video, then a sparse hole) is probed in bounded memory",
          "[hostile]") {
  TempDir tmp;
  const fs::path path = tmp / "huge.mp4";
  fs::copy_file(fixture("h264_aac.mp4"), path);
  fs::resize_file(path, 4ull << 30);  // sparse: costs no disk
  const auto before = fs::last_write_time(path);
  const RunResult r = bounded({"--json", "--", path.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code < 128);
  const json doc = parse_json(r);
  REQUIRE(doc.at("files").size() == 1);
  const json& entry = doc.at("files").at(0);
  CHECK(entry.at("verdict") != "ok");  // over MAVI's 3 GB, whatever the bytes after the video
  CHECK(fs::file_size(path) == (4ull << 30));
  CHECK(fs::last_write_time(path) == before);
}

TEST_CASE("hostile: a video track with no frames at all", "[hostile]") {
  TempDir tmp;
  const fs::path path = tmp / "noframes.mp4";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25:duration=1", "-frames:v", "0", "-c:v",
          "libx264", path.string()});
  expect_rejected(path, "no_video_stream");
}

TEST_CASE("hostile: timestamps that start ten hours in", "[hostile]") {
  TempDir tmp;
  const fs::path path = tmp / "late.ts";
  ffmpeg({"-i", fixture("h264_aac.mp4").string(), "-c", "copy", "-output_ts_offset", "36000", "-f",
          "mpegts", path.string()});
  const Outcome o = check_one(path);
  INFO(o.entry.dump());
  CHECK(o.exit_code == 1);  // fixable: a remux into MP4
  CHECK(o.entry.at("action") == "remux");
  // The duration is the span of the content, not the offset.
  CHECK(o.entry.at("media").at("duration_seconds").get<double>() < 5.0);
}

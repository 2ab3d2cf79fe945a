// mavi-check run as a program over the fixtures: exit codes, JSON shape, human output, and
// that inputs are left untouched.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mavi/version.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;
using mavi::test::fixture;
using mavi::test::RunResult;
using mavi::test::TempDir;
using nlohmann::json;

namespace {

RunResult mavi_check(const std::vector<std::string>& args,
                     const mavi::test::RunOptions& options = {}) {
  std::vector<std::string> argv{mavi::test::program("mavi-check").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return mavi::test::run(argv, options);
}

std::string fx(const std::string& name) {
  return fixture(name).string();
}

json parse_json(const RunResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  json doc = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  return doc;
}

const json* file_entry(const json& doc, const std::string& path) {
  for (const auto& f : doc.at("files")) {
    if (f.at("path") == path)
      return &f;
  }
  return nullptr;
}

bool has_code(const json& entry, const std::string& code) {
  return std::any_of(entry.at("findings").begin(), entry.at("findings").end(),
                     [&](const json& f) { return f.at("code") == code; });
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void copy_fixture(const std::string& name, const fs::path& to) {
  fs::copy_file(fixture(name), to, fs::copy_options::overwrite_existing);
}

}  // namespace

TEST_CASE("mavi-check --version and --help") {
  const RunResult version = mavi_check({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == "mavi-check " + std::string(mavi::version()) + "\n");

  const RunResult help = mavi_check({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* text : {"Usage", "PATH", "--json", "--require-audio", "--strict", "--max-size",
                           "--deep", "--jobs", "--all-files", "--quiet", "Exit status", "64"}) {
    INFO(text);
    CHECK(help.out.find(text) != std::string::npos);
  }
}

TEST_CASE("mavi-check usage errors exit with 64 and print nothing on stdout") {
  const std::vector<std::vector<std::string>> bad{
      {},                                         // no PATH
      {"--no-such-option", fx("h264_aac.mp4")},   // unknown option
      {"-j", "1025", fx("h264_aac.mp4")},         // jobs out of range
      {"--max-size", "0", fx("h264_aac.mp4")},    // nothing could be that small
      {"-j", "many", fx("h264_aac.mp4")},         // not a number
      {"--max-size", "-1", fx("h264_aac.mp4")},   // negative size
      {"--max-size", "12X", fx("h264_aac.mp4")},  // unknown unit
      {"--deep-time-limit", "0", fx("h264_aac.mp4")},
      {"--json"},  // options but no PATH
  };
  for (const auto& args : bad) {
    const RunResult r = mavi_check(args);
    std::string joined;
    for (const auto& a : args)
      joined += a + " ";
    INFO("args: " << joined << "\nstderr: " << r.err);
    CHECK(r.exit_code == 64);
    CHECK(r.out.empty());
    CHECK_FALSE(r.err.empty());
  }
}

TEST_CASE("mavi-check exit status follows the worst verdict") {
  SECTION("0: every file ok") {
    const RunResult r = mavi_check({fx("h264_aac.mp4"), fx("hevc_aac.mkv")});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("2 files: 2 ok, 0 fixable, 0 rejected") != std::string::npos);
  }
  SECTION("1: some fixable, none rejected") {
    const RunResult r = mavi_check({fx("h264_aac.mp4"), fx("h264_aac.ts")});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
  }
  SECTION("2: a rejected file among good ones") {
    const RunResult r = mavi_check({fx("h264_aac.mp4"), fx("h264_aac.ts"), fx("text_renamed.mp4")});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
  }
  SECTION("no audio track is only a warning without --require-audio") {
    CHECK(mavi_check({fx("h264_noaudio.mp4")}).exit_code == 0);
    CHECK(mavi_check({"--require-audio", fx("h264_noaudio.mp4")}).exit_code == 2);
  }
  SECTION("--strict turns fixable warnings into fixable errors") {
    CHECK(mavi_check({fx("h264_444.mp4")}).exit_code == 0);
    CHECK(mavi_check({"--strict", fx("h264_444.mp4")}).exit_code == 1);
  }
  SECTION("--max-size takes bytes and suffixes") {
    const RunResult small = mavi_check({"--json", "--max-size", "1000", fx("h264_aac.mp4")});
    CHECK(small.exit_code == 1);
    const json doc = parse_json(small);
    CHECK(doc.at("rules").at("max_size_bytes") == 1000);
    CHECK(has_code(doc.at("files").at(0), "file_too_large"));
    CHECK(doc.at("files").at(0).at("action") == "transcode");

    const RunResult mega = mavi_check({"--json", "--max-size", "1M", fx("h264_aac.mp4")});
    CHECK(mega.exit_code == 0);
    CHECK(parse_json(mega).at("rules").at("max_size_bytes") == 1000000);
    const RunResult giga = mavi_check({"--json", "--max-size", "3GiB", fx("h264_aac.mp4")});
    CHECK(parse_json(giga).at("rules").at("max_size_bytes") == 3221225472ULL);
  }
}

TEST_CASE("mavi-check human output: one line per file, then a summary") {
  const std::vector<std::string> names{"h264_aac.mp4",     "h264_aac.ts",    "mpeg4_mp3.avi",
                                       "h264_noaudio.mp4", "audio_only.m4a", "empty.mp4"};
  std::vector<std::string> args;
  for (const auto& n : names)
    args.push_back(fx(n));
  const RunResult r = mavi_check(args);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find('\033') == std::string::npos);  // not a terminal: no colour

  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == names.size() + 1);
  const std::vector<std::string> verdicts{"ok", "fixable", "fixable", "ok", "rejected", "rejected"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO(lines[i]);
    CHECK(lines[i].rfind(verdicts[i] + " ", 0) == 0);
    CHECK(lines[i].find(fx(names[i])) != std::string::npos);
  }
  CHECK(lines[1].find("remux") != std::string::npos);
  CHECK(lines[2].find("transcode") != std::string::npos);
  CHECK(lines[3].find("audio") != std::string::npos);
  CHECK(lines.back() == "6 files: 2 ok, 2 fixable, 2 rejected");

  SECTION("--verbose lists every finding with its code") {
    const RunResult v = mavi_check({"--verbose", fx("h264_noaudio.mp4")});
    CHECK(v.out.find("no_audio_track") != std::string::npos);
  }
}

TEST_CASE("mavi-check --json over the fixtures folder") {
  const RunResult r = mavi_check({"--json", "-j", "2", fx("")});
  CHECK(r.exit_code == 2);  // the folder holds rejected fixtures on purpose
  const json doc = parse_json(r);

  CHECK(doc.at("tool") == "mavi-check");
  CHECK(doc.at("version") == std::string(mavi::version()));
  const json& rules = doc.at("rules");
  CHECK(rules.at("accepted_video_codecs") == json({"h264", "hevc", "vp9"}));
  CHECK(rules.at("max_size_bytes") == 3000000000ULL);
  CHECK(rules.at("require_audio") == false);
  CHECK(rules.at("strict") == false);
  CHECK(doc.at("notes").is_array());

  const std::set<std::string> verdicts{"ok", "fixable", "rejected"};
  const std::set<std::string> actions{"none", "remux", "transcode"};
  std::map<std::string, std::size_t> counted;
  const json& files = doc.at("files");
  REQUIRE(files.size() >= 20);
  for (const json& f : files) {
    INFO(f.dump());
    REQUIRE(f.at("path").is_string());
    REQUIRE(f.at("verdict").is_string());
    CHECK(verdicts.count(f.at("verdict")) == 1);
    CHECK(actions.count(f.at("action")) == 1);
    CHECK((f.at("verdict") == "fixable") == (f.at("action") != "none"));
    REQUIRE(f.at("findings").is_array());
    for (const json& finding : f.at("findings")) {
      CHECK(finding.at("code").is_string());
      CHECK_FALSE(finding.at("code").get<std::string>().empty());
      CHECK((finding.at("severity") == "error" || finding.at("severity") == "warning"));
      CHECK_FALSE(finding.at("message").get<std::string>().empty());
    }
    if (f.at("verdict") != "rejected") {
      REQUIRE(f.contains("media"));
      const json& media = f.at("media");
      CHECK(media.at("size_bytes").is_number_unsigned());
      CHECK(media.at("format_name").is_string());
      REQUIRE(media.at("streams").is_array());
      CHECK(std::any_of(media.at("streams").begin(), media.at("streams").end(), [](const json& s) {
        return s.at("type") == "video" && s.contains("video");
      }));
    }
    CHECK(f.at("elapsed_seconds").is_number());
    ++counted[f.at("verdict")];
  }
  const json& summary = doc.at("summary");
  CHECK(summary.at("ok") == counted["ok"]);
  CHECK(summary.at("fixable") == counted["fixable"]);
  CHECK(summary.at("rejected") == counted["rejected"]);
  CHECK(summary.at("files") == files.size());
  CHECK(summary.at("unusable_paths") == 0);

  // What the fixtures are made to show (fixtures/README.md).
  struct Expect {
    const char* name;
    const char* verdict;
    const char* action;
    const char* code;  // a finding that must be there, or nullptr
  };
  const Expect expected[] = {
      {"h264_aac.mp4", "ok", "none", nullptr},
      {"hevc_aac.mkv", "ok", "none", nullptr},
      {"file with spaces é.mp4", "ok", "none", nullptr},
      {"vp9_opus.webm", "fixable", "remux", nullptr},
      {"h264_aac.ts", "fixable", "remux", "container_not_accepted"},
      {"mpeg4_mp3.avi", "fixable", "transcode", "video_codec_not_accepted"},
      {"mjpeg_pcm.mov", "fixable", "transcode", "video_codec_not_accepted"},
      {"h264_noaudio.mp4", "ok", "none", "no_audio_track"},
      {"audio_only.mp4", "rejected", "none", "no_video_stream"},
      {"truncated.mp4", "rejected", "none", nullptr},
      {"empty.mp4", "rejected", "none", "empty_file"},
      {"text_renamed.mp4", "rejected", "none", "not_media"},
  };
  for (const auto& e : expected) {
    INFO(e.name);
    const json* f = file_entry(doc, fx(e.name));
    REQUIRE(f != nullptr);
    CHECK(f->at("verdict") == e.verdict);
    CHECK(f->at("action") == e.action);
    if (e.code != nullptr)
      CHECK(has_code(*f, e.code));
  }
  // Unprobeable files carry no media.
  CHECK_FALSE(file_entry(doc, fx("empty.mp4"))->contains("media"));
  CHECK_FALSE(file_entry(doc, fx("text_renamed.mp4"))->contains("media"));
  // .m4a is not a video extension: a folder walk leaves it out.
  CHECK(file_entry(doc, fx("audio_only.m4a")) == nullptr);
}

TEST_CASE("mavi-check gives the same files[] order whatever -j") {
  const json one = parse_json(mavi_check({"--json", "-j", "1", fx("")}));
  const json four = parse_json(mavi_check({"--json", "-j", "4", fx("")}));
  std::vector<std::string> paths_one, paths_four;
  for (const auto& f : one.at("files"))
    paths_one.push_back(f.at("path"));
  for (const auto& f : four.at("files"))
    paths_four.push_back(f.at("path"));
  CHECK(paths_one == paths_four);
  CHECK(std::is_sorted(paths_one.begin(), paths_one.end()));
  for (std::size_t i = 0; i < one.at("files").size(); ++i) {
    CHECK(one["files"][i]["verdict"] == four["files"][i]["verdict"]);
    CHECK(one["files"][i]["findings"] == four["files"][i]["findings"]);
  }
}

TEST_CASE("mavi-check: a missing PATH is an error (exit 2), the other files are still checked") {
  TempDir tmp;
  const std::string missing = (tmp / "no such file.mp4").string();
  const RunResult r = mavi_check({fx("h264_aac.mp4"), missing});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(missing) != std::string::npos);
  CHECK(r.err.find("does not exist") != std::string::npos);
  CHECK(r.out.find(fx("h264_aac.mp4")) != std::string::npos);

  const json doc = parse_json(mavi_check({"--json", fx("h264_aac.mp4"), missing}));
  CHECK(doc.at("files").size() == 1);
  CHECK(doc.at("summary").at("unusable_paths") == 1);
  REQUIRE(doc.at("notes").size() == 1);
  CHECK(doc.at("notes").at(0).at("path") == missing);
  CHECK(doc.at("notes").at(0).at("error") == true);
}

TEST_CASE("mavi-check: a folder with no videos is a note and exit 0") {
  TempDir tmp;
  std::ofstream(tmp / "readme.txt") << "no videos here\n";
  const RunResult r = mavi_check({tmp.path().string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("no video files found") != std::string::npos);
  CHECK(r.out == "0 files: 0 ok, 0 fixable, 0 rejected\n");

  const json doc = parse_json(mavi_check({"--json", "--quiet", tmp.path().string()}));
  CHECK(doc.at("files").empty());
  CHECK(doc.at("notes").at(0).at("error") == false);

  SECTION("--all-files takes the text file, which is then rejected") {
    const RunResult all = mavi_check({"--all-files", tmp.path().string()});
    CHECK(all.exit_code == 2);
    CHECK(all.out.find("rejected  " + (tmp / "readme.txt").string()) != std::string::npos);
  }
  SECTION("a file named explicitly is checked whatever its extension") {
    const RunResult named = mavi_check({(tmp / "readme.txt").string()});
    CHECK(named.exit_code == 2);
    CHECK(named.out.find("1 file: 0 ok, 0 fixable, 1 rejected") != std::string::npos);
  }
}

TEST_CASE("mavi-check handles names with spaces, non-ASCII and invalid UTF-8") {
  const std::string spaced = fx("file with spaces é.mp4");
  const RunResult r = mavi_check({spaced});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("ok        " + spaced + "\n") == 0);
  const json doc = parse_json(mavi_check({"--json", spaced}));
  CHECK(doc.at("files").at(0).at("path") == spaced);

  TempDir tmp;
  const fs::path bad = tmp / "bad\xff name\n.mp4";  // not UTF-8, and a newline
  copy_fixture("h264_aac.mp4", bad);
  const RunResult human = mavi_check({tmp.path().string()});
  CHECK(human.exit_code == 0);
  CHECK(lines_of(human.out).size() == 2);  // the newline does not split the file's line
  const RunResult machine = mavi_check({"--json", tmp.path().string()});
  CHECK(machine.exit_code == 0);
  const json bad_doc = parse_json(machine);
  CHECK(bad_doc.at("files").size() == 1);
}

TEST_CASE("mavi-check never modifies its inputs") {
  TempDir tmp;
  const std::vector<std::string> names{"h264_aac.mp4", "truncated.mp4", "text_renamed.mp4",
                                       "empty.mp4",    "h264_aac.ts",   "mjpeg_pcm.mov"};
  struct Before {
    std::string content;
    std::uintmax_t size;
    fs::file_time_type mtime;
  };
  std::map<std::string, Before> before;
  for (const auto& n : names) {
    copy_fixture(n, tmp / n);
    before[n] = {read_all(tmp / n), fs::file_size(tmp / n), fs::last_write_time(tmp / n)};
  }
  const auto listing = [&] {
    std::set<std::string> entries;
    for (const auto& e : fs::directory_iterator(tmp.path()))
      entries.insert(e.path().string());
    return entries;
  };
  const auto entries_before = listing();

  CHECK(mavi_check({"--deep", "--json", tmp.path().string()}).exit_code == 2);
  CHECK(mavi_check({tmp.path().string()}).exit_code == 2);

  CHECK(listing() == entries_before);  // nothing created next to the inputs
  for (const auto& n : names) {
    INFO(n);
    CHECK(fs::file_size(tmp / n) == before[n].size);
    CHECK(fs::last_write_time(tmp / n) == before[n].mtime);
    CHECK(read_all(tmp / n) == before[n].content);
  }
}

TEST_CASE("mavi-check skips FIFOs in folders and refuses a named one, without hanging") {
  TempDir tmp;
  copy_fixture("h264_aac.mp4", tmp / "a.mp4");
  REQUIRE(::mkfifo((tmp / "pipe.mp4").c_str(), 0600) == 0);

  const RunResult walked = mavi_check({tmp.path().string()});
  INFO(walked.out << walked.err);
  CHECK(walked.exit_code == 0);
  CHECK(walked.err.find("FIFO") != std::string::npos);
  CHECK(walked.out.find("1 file: 1 ok") != std::string::npos);

  const RunResult named = mavi_check({(tmp / "pipe.mp4").string()});
  CHECK(named.exit_code == 2);
  CHECK(named.err.find("FIFO") != std::string::npos);
}

TEST_CASE("mavi-check: an unreadable file is rejected with permission_denied") {
  TempDir tmp;
  copy_fixture("h264_aac.mp4", tmp / "locked.mp4");
  fs::permissions(tmp / "locked.mp4", fs::perms::none);
  std::vector<std::string> argv{mavi::test::program("mavi-check").string(), "--json",
                                (tmp / "locked.mp4").string()};
  if (::geteuid() == 0) {
    // Root reads any file: run the program as nobody instead.
    if (!mavi::test::on_path("setpriv"))
      MAVI_SKIP("running as root without setpriv: permission case not exercised");
    fs::permissions(tmp.path(),
                    fs::perms::owner_all | fs::perms::others_exec | fs::perms::others_read);
    argv.insert(argv.begin(),
                {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  }
  const RunResult r = mavi::test::run(argv);
  INFO(r.out << r.err);
  if (r.exit_code == 127 || r.out.empty())
    MAVI_SKIP("could not run mavi-check as an unprivileged user: " << r.err);
  CHECK(r.exit_code == 2);
  const json doc = parse_json(r);
  REQUIRE(doc.at("files").size() == 1);
  CHECK(doc.at("files").at(0).at("verdict") == "rejected");
  CHECK(has_code(doc.at("files").at(0), "permission_denied"));
}

TEST_CASE("every finding code mavi-check emits on the fixtures is documented") {
  const std::string doc = read_all(mavi::test::source_dir() / "docs" / "check-json.md");
  REQUIRE_FALSE(doc.empty());
  std::set<std::string> codes;
  for (const auto& extra : std::vector<std::vector<std::string>>{
           {}, {"--strict"}, {"--require-audio"}, {"--deep", "--max-size", "20k"}}) {
    std::vector<std::string> args{"--json", "--quiet", fx(""), fx("audio_only.m4a")};
    args.insert(args.end(), extra.begin(), extra.end());
    const json result = parse_json(mavi_check(args));
    for (const auto& f : result.at("files")) {
      for (const auto& finding : f.at("findings"))
        codes.insert(finding.at("code"));
    }
  }
  CHECK(codes.size() >= 15);
  for (const auto& code : codes) {
    INFO(code);
    CHECK(doc.find("| `" + code + "` |") != std::string::npos);
  }
}

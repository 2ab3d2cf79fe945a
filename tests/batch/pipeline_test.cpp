// mavi-prepare-and-upload as a batch runner, against mavi-sandbox on 127.0.0.1 with faults on:
// every valid file uploaded exactly once (the sandbox's store agrees with the journal), also
// after SIGKILLs and re-runs; shards partition the files; --wait sees PARSE and FAIL.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::test::fixture;
using mavi::test::RunResult;
using mavi::test::SandboxProcess;
using mavi::test::TempDir;
using nlohmann::json;

const std::string kKey = "sk-BATCHKEY-777";

void ffmpeg(std::vector<std::string> args) {
  args.insert(args.begin(), {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"});
  const RunResult r = mavi::test::run(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// What a batch folder holds, and the name MAVI must see for each valid file.
struct Batch {
  fs::path dir;
  std::map<std::string, std::string> valid;  // file name -> name MAVI sees
  std::set<std::string> invalid;             // file names that must be rejected
};

// `ok` accepted files, `remux` files needing a remux, `transcode` needing a re-encode, and
// `invalid` that must be rejected, all with distinct content (a different title tag each).
Batch make_batch(const fs::path& dir, int ok, int remux, int transcode, int invalid) {
  Batch batch{dir, {}, {}};
  fs::create_directories(dir);
  auto copies = [&](const fs::path& source, const std::string& prefix, const std::string& ext,
                    int count, bool renamed_to_mp4) {
    std::vector<std::string> args{"-i", source.string()};
    for (int i = 0; i < count; ++i) {
      const std::string name = prefix + std::to_string(i) + ext;
      for (const char* a : {"-map", "0", "-c", "copy", "-metadata"})
        args.push_back(a);
      args.push_back("title=" + name);
      args.push_back((dir / name).string());
      batch.valid[name] = renamed_to_mp4 ? prefix + std::to_string(i) + ".mp4" : name;
    }
    if (count > 0)
      ffmpeg(args);
  };
  copies(fixture("h264_aac.mp4"), "ok_", ".mp4", ok, false);
  copies(fixture("h264_aac.ts"), "remux_", ".ts", remux, true);
  // A short MPEG-4 Part 2 clip: the re-encodes stay quick.
  const fs::path source = dir.parent_path() / "mpeg4_source.avi";
  if (transcode > 0) {
    ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=160x96:rate=15:duration=1.5", "-f", "lavfi", "-i",
            "sine=frequency=440:duration=1.5", "-c:v", "mpeg4", "-c:a", "libmp3lame",
            source.string()});
  }
  copies(source, "transcode_", ".avi", transcode, true);
  for (int i = 0; i < invalid; ++i) {
    const std::string name = "invalid_" + std::to_string(i) + ".mp4";
    std::ofstream(dir / name) << "not a video, number " << i << "\n";
    batch.invalid.insert(name);
  }
  return batch;
}

struct Sandbox {
  TempDir store;
  SandboxProcess process;
  explicit Sandbox(std::vector<std::string> args)
      : process(with_store(std::move(args), store.path()), {{"MAVI_SANDBOX_API_KEY", kKey}}) {}
  static std::vector<std::string> with_store(std::vector<std::string> args, const fs::path& dir) {
    for (const char* a : {"--quiet", "--admin", "--store"})
      args.push_back(a);
    args.push_back(dir.string());
    return args;
  }
  // Every video the sandbox registered.
  json videos() const {
    const RunResult r = mavi::test::run(
        {"curl", "-sS", "-H", "Authorization: " + kKey, process.url() + "/sandbox/videos"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out).at("videos");
  }
  // videoNo -> videoName as MAVI's own listing (searchDB, first 200) shows them.
  std::map<std::string, std::string> search_db() const {
    const RunResult r =
        mavi::test::run({"curl", "-sS", "-H", "Authorization: " + kKey,
                         process.url() + "/api/serve/video/searchDB?page=1&pageSize=200"});
    INFO("searchDB: " << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const json answer = json::parse(r.out);  // kept alive for the loop below
    std::map<std::string, std::string> listed;
    for (const auto& v : answer.at("data").at("videoData"))
      listed[v.at("videoNo").get<std::string>()] = v.at("videoName").get<std::string>();
    return listed;
  }
};

std::vector<std::string> tool(const Sandbox& sandbox, const fs::path& journal,
                              std::vector<std::string> args) {
  std::vector<std::string> argv{mavi::test::program("mavi-prepare-and-upload").string(),
                                "--base-url",
                                sandbox.process.url(),
                                "--uploads-per-minute",
                                "0",
                                "--retries",
                                "12",
                                "--journal",
                                journal.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

RunResult run_tool(const std::vector<std::string>& argv) {
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}};
  options.timeout = std::chrono::seconds(500);
  return mavi::test::run(argv, options);
}

json parse(const RunResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(!r.out.empty());
  return json::parse(r.out);
}

json journal_report(const fs::path& journal) {
  const RunResult r = run_tool({mavi::test::program("mavi-prepare-and-upload").string(),
                                "--journal", journal.string(), "--report", "--json"});
  REQUIRE(r.exit_code == 0);
  return parse(r);
}

// The sandbox holds each valid file exactly once, nothing else, and the journal agrees.
void expect_exactly_once(const Sandbox& sandbox, const Batch& batch, const fs::path& journal) {
  std::map<std::string, std::vector<std::string>> by_name;  // MAVI name -> videoNos
  const json videos = sandbox.videos();
  for (const auto& v : videos)
    by_name[v.at("videoName").get<std::string>()].push_back(v.at("videoNo").get<std::string>());
  CHECK(by_name.size() == batch.valid.size());
  std::map<std::string, std::string> uploaded_as;  // file name -> videoNo, from the journal
  const json report = journal_report(journal);
  for (const auto& f : report.at("files")) {
    const std::string name = fs::path(f.at("path").get<std::string>()).filename().string();
    if (batch.invalid.count(name) != 0) {
      CHECK(f.at("state") == "skipped");
      continue;
    }
    INFO(name << ": " << f.dump());
    CHECK((f.at("state") == "uploaded" || f.at("state") == "processed"));
    uploaded_as[name] = f.at("upload").at("videoNo").get<std::string>();
  }
  for (const auto& [file, mavi_name] : batch.valid) {
    INFO(file << " as " << mavi_name);
    REQUIRE(by_name.count(mavi_name) == 1);
    CHECK(by_name[mavi_name].size() == 1);
    CHECK(by_name[mavi_name].front() == uploaded_as[file]);
  }
  // MAVI's listing agrees with the store: the same videos under the same names.
  const std::map<std::string, std::string> listed = sandbox.search_db();
  CHECK(listed.size() == videos.size());
  for (const auto& [file, video_no] : uploaded_as) {
    INFO(file);
    CHECK(listed.count(video_no) == 1);
  }
}

}  // namespace

TEST_CASE(
    "a batch of 40 files under faults: each valid file uploaded exactly once, a re-run "
    "uploads nothing, --force uploads again",
    "[batch]") {
  TempDir tmp;
  const Batch batch = make_batch(tmp / "videos", 24, 8, 4, 4);
  REQUIRE(batch.valid.size() + batch.invalid.size() == 40);
  Sandbox sandbox({"--fail-rate", "0.2", "--drop-rate", "0.1", "--lost-reply-rate", "0.1",
                   "--rate-limit", "30", "--callback-delay", "0.2"});
  const fs::path journal = tmp / "state" / "journal.sqlite";
  const fs::path work = tmp / "work";

  const RunResult first = run_tool(tool(sandbox, journal,
                                        {"--json", "-j", "2", "--upload-concurrency", "2",
                                         "--work-dir", work.string(), batch.dir.string()}));
  INFO("stderr: " << first.err);
  CHECK(first.exit_code == 1);  // the invalid files are reported, not uploaded
  const json report = parse(first);
  CHECK(report.at("summary").at("uploaded") == batch.valid.size());
  CHECK(report.at("summary").at("rejected") == batch.invalid.size());
  CHECK(report.at("summary").at("failed") == 0);
  for (const auto& f : report.at("files")) {
    const std::string name = fs::path(f.at("path").get<std::string>()).filename().string();
    if (batch.invalid.count(name) != 0) {
      CHECK(f.at("status") == "rejected");
      CHECK(f.at("verdict") == "rejected");
      CHECK(!f.at("error").get<std::string>().empty());
    } else {
      CHECK(f.at("status") == "uploaded");
      CHECK(f.at("upload").at("videoNo").get<std::string>().rfind("VI", 0) == 0);
    }
  }
  expect_exactly_once(sandbox, batch, journal);
  // Prepared files are deleted once uploaded; the journal is private.
  for (const auto& entry : fs::directory_iterator(work))
    FAIL("left in the work folder: " << entry.path());
  struct stat info {};
  REQUIRE(::stat(journal.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  const RunResult again = run_tool(tool(sandbox, journal, {"--json", batch.dir.string()}));
  const json second = parse(again);
  CHECK(second.at("summary").at("uploaded") == 0);
  CHECK(second.at("summary").at("already_uploaded") == batch.valid.size());
  CHECK(sandbox.videos().size() == batch.valid.size());

  const fs::path one = batch.dir / "ok_0.mp4";
  const json forced = parse(run_tool(tool(sandbox, journal, {"--json", "--force", one.string()})));
  CHECK(forced.at("summary").at("uploaded") == 1);
  CHECK(sandbox.videos().size() == batch.valid.size() + 1);
  for (const std::string& s : {first.out, first.err, again.out, again.err})
    CHECK(s.find(kKey) == std::string::npos);
}

TEST_CASE(
    "a batch killed with SIGKILL at several points and re-run ends with every valid file "
    "uploaded once",
    "[batch]") {
  TempDir tmp;
  const Batch batch = make_batch(tmp / "videos", 14, 6, 4, 2);
  Sandbox sandbox({"--fail-rate", "0.2", "--drop-rate", "0.1", "--lost-reply-rate", "0.15",
                   "--latency", "0.1", "--max-bandwidth", "4M"});
  const fs::path journal = tmp / "journal.sqlite";
  const std::vector<std::string> argv =
      tool(sandbox, journal,
           {"-q", "-j", "2", "--work-dir", (tmp / "work").string(), batch.dir.string()});
  std::string command = "exec";
  for (const auto& a : argv)
    command += " '" + a + "'";
  for (const char* delay : {"0.5", "1.5", "1", "2.5", "0.3"}) {
    // The shell starts the batch, lets it run for `delay` seconds, then kills it outright.
    const std::string script = "(" + command + ") & pid=$!; sleep " + delay +
                               "; kill -9 $pid 2>/dev/null; wait $pid; exit 0";
    const RunResult killed = run_tool({"bash", "-c", script});
    CHECK(killed.exit_code == 0);
  }
  const RunResult finish = run_tool(tool(sandbox, journal, {"--json", batch.dir.string()}));
  INFO("stderr: " << finish.err);
  CHECK(finish.exit_code == 1);  // the invalid files
  const json report = parse(finish);
  CHECK(report.at("summary").at("failed") == 0);
  expect_exactly_once(sandbox, batch, journal);
}

TEST_CASE("shards (--shard K/N) partition the files: every file in exactly one shard", "[batch]") {
  TempDir tmp;
  const Batch batch = make_batch(tmp / "videos", 12, 4, 0, 4);
  std::map<std::string, int> seen;
  const unsigned shards = 3;
  std::size_t outside = 0;
  for (unsigned k = 0; k < shards; ++k) {
    const RunResult r =
        run_tool({mavi::test::program("mavi-prepare-and-upload").string(), "--dry-run", "--json",
                  "--shard", std::to_string(k) + "/" + std::to_string(shards), batch.dir.string()});
    const json report = parse(r);
    for (const auto& f : report.at("files"))
      ++seen[fs::path(f.at("path").get<std::string>()).filename().string()];
    outside += report.at("summary").at("outside_shard").get<std::size_t>();
  }
  CHECK(seen.size() == batch.valid.size() + batch.invalid.size());
  for (const auto& [name, count] : seen) {
    INFO(name);
    CHECK(count == 1);
  }
  CHECK(outside == (shards - 1) * seen.size());
  const RunResult bad = run_tool({mavi::test::program("mavi-prepare-and-upload").string(),
                                  "--dry-run", "--shard", "3/3", batch.dir.string()});
  CHECK(bad.exit_code == 64);
}

TEST_CASE(
    "waiting (--wait) reports PARSE and FAIL as the sandbox decides, events stream as "
    "JSON lines, the journal report shows it all",
    "[batch]") {
  TempDir tmp;
  Sandbox sandbox({"--require-audio", "--callback-delay", "0.5"});
  const fs::path journal = tmp / "journal.sqlite";
  const RunResult r =
      run_tool(tool(sandbox, journal,
                    {"--wait", "--json-lines", fixture("h264_aac.mp4").string(),
                     fixture("h264_noaudio.mp4").string(), fixture("text_renamed.mp4").string()}));
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 1);  // one rejected file, one video MAVI could not process
  std::map<std::string, std::vector<std::string>> events;  // file name -> event kinds
  json summary;
  std::size_t start = 0;
  while (start < r.out.size()) {
    const std::size_t end = r.out.find('\n', start);
    const json line = json::parse(r.out.substr(start, end - start));
    start = end + 1;
    if (line.at("event") == "summary") {
      summary = line;
      continue;
    }
    events[fs::path(line.at("path").get<std::string>()).filename().string()].push_back(
        line.at("event").get<std::string>());
  }
  using V = std::vector<std::string>;
  CHECK(events["h264_aac.mp4"] == V{"checked", "uploading", "uploaded", "parsed"});
  CHECK(events["h264_noaudio.mp4"] == V{"checked", "uploading", "uploaded", "failed"});
  CHECK(events["text_renamed.mp4"] == V{"checked", "skipped"});
  CHECK(summary.at("parsed") == 1);
  CHECK(summary.at("processing_failed") == 1);

  const json report = journal_report(journal);
  std::map<std::string, json> by_name;
  for (const auto& f : report.at("files"))
    by_name[fs::path(f.at("path").get<std::string>()).filename().string()] = f;
  CHECK(by_name["h264_aac.mp4"].at("state") == "processed");
  CHECK(by_name["h264_aac.mp4"].at("upload").at("videoStatus") == "PARSE");
  CHECK(by_name["h264_noaudio.mp4"].at("upload").at("videoStatus") == "FAIL");
  CHECK(by_name["text_renamed.mp4"].at("state") == "skipped");
  CHECK(by_name["h264_aac.mp4"].at("events").size() >= 5);  // pending .. processed
  const RunResult human = run_tool({mavi::test::program("mavi-prepare-and-upload").string(),
                                    "--journal", journal.string(), "--report"});
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("processed") != std::string::npos);
  CHECK(human.out.find(kKey) == std::string::npos);
}

TEST_CASE(
    "a work budget (--max-work-bytes) holds preparation back until prepared files are "
    "uploaded, and --keep-prepared keeps them",
    "[batch]") {
  TempDir tmp;
  const Batch batch = make_batch(tmp / "videos", 0, 4, 2, 0);
  Sandbox sandbox({"--max-bandwidth", "2000000"});
  const fs::path work = tmp / "work";
  const RunResult r =
      run_tool(tool(sandbox, tmp / "journal.sqlite",
                    {"--json-lines", "-j", "3", "--max-work-bytes", "1", "--keep-prepared",
                     "--work-dir", work.string(), batch.dir.string()}));
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  // With a budget of one byte, a preparation starts only when nothing prepared is waiting.
  int in_flight = 0, most = 0, uploaded = 0;
  std::size_t start = 0;
  while (start < r.out.size()) {
    const std::size_t end = r.out.find('\n', start);
    const json line = json::parse(r.out.substr(start, end - start));
    start = end + 1;
    if (line.at("event") == "preparing")
      most = std::max(most, ++in_flight);
    if (line.at("event") == "uploaded") {
      --in_flight;
      ++uploaded;
    }
  }
  CHECK(uploaded == 6);
  CHECK(most == 1);
  int kept = 0;
  for (const auto& entry : fs::directory_iterator(work))
    kept += entry.path().extension() == ".mp4" ? 1 : 0;
  CHECK(kept == 6);
}

TEST_CASE(
    "SIGINT and SIGTERM during uploads stop the batch with 130 and 143, leave no prepared "
    "file behind, and the next run finishes without duplicates",
    "[batch][signals]") {
  TempDir tmp;
  const Batch batch = make_batch(tmp / "videos", 4, 3, 0, 0);
  // About a second and a half per file: a signal lands while some upload is in flight.
  Sandbox sandbox({"--max-bandwidth", "20000"});
  const fs::path journal = tmp / "journal.sqlite";
  const fs::path work = tmp / "work";
  std::string command = "exec";
  for (const auto& a :
       tool(sandbox, journal, {"-q", "--work-dir", work.string(), batch.dir.string()}))
    command += " '" + a + "'";
  for (const auto& [signal, status] : {std::pair{"INT", 130}, std::pair{"TERM", 143}}) {
    const std::string script = "(" + command + ") & pid=$!; sleep 2.5; kill -" + signal +
                               " $pid; wait $pid; echo \"status $?\"";
    const RunResult r = run_tool({"bash", "-c", script});
    INFO("signal " << signal << ": " << r.out << r.err);
    CHECK(r.out.find("status " + std::to_string(status)) != std::string::npos);
    // Prepared files not yet uploaded are removed; no partial output anywhere.
    for (const auto& entry : fs::recursive_directory_iterator(work))
      CHECK(!entry.is_regular_file());
  }
  const RunResult finish = run_tool(tool(sandbox, journal, {"--json", batch.dir.string()}));
  INFO("stderr: " << finish.err);
  CHECK(finish.exit_code == 0);
  expect_exactly_once(sandbox, batch, journal);
}

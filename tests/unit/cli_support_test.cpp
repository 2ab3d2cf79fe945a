// tools/cli: the exit-code table, output formatting and parallel_map, without running programs.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "cli/exit_codes.hpp"
#include "cli/json.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/parallel.hpp"

using namespace mavi;
using namespace mavi::cli;

TEST_CASE("each program's exit-code table has the documented values, each once") {
  const std::map<Program, std::set<int>> documented{
      {Program::check, {0, 1, 2, 64, 70, 130, 143}},
      {Program::prepare_and_upload, {0, 1, 64, 69, 70, 74, 75, 77, 130, 143}},
      {Program::sandbox, {0, 1, 64, 70}}};
  for (const auto& [program, codes] : documented) {
    std::set<int> seen;
    int previous = -1;
    for (const auto& row : exit_code_table(program)) {
      CHECK(seen.insert(to_int(row.code)).second);
      CHECK(to_int(row.code) > previous);
      previous = to_int(row.code);
      CHECK_FALSE(row.meaning.empty());
      CHECK(exit_codes_help(program).find(std::string(row.meaning)) != std::string::npos);
    }
    CHECK(seen == codes);
  }
  // Each program's help tells its own story.
  CHECK(exit_codes_help(Program::prepare_and_upload).find("need a remux") == std::string::npos);
  CHECK(exit_code_for(VerdictKind::ok) == ExitCode::ok);
  CHECK(exit_code_for(VerdictKind::fixable) == ExitCode::fixable);
  CHECK(exit_code_for(VerdictKind::rejected) == ExitCode::rejected);
  CHECK(exit_code_for_signal(2) == ExitCode::interrupted);
  CHECK(exit_code_for_signal(15) == ExitCode::terminated);
}

TEST_CASE("sizes: k M G T are powers of 1000, KiB MiB GiB TiB of 1024, fractions allowed") {
  CHECK(parse_size("1000") == 1000u);
  CHECK(parse_size("3G") == 3'000'000'000u);
  CHECK(parse_size("3GB") == 3'000'000'000u);
  CHECK(parse_size("1.5G") == 1'500'000'000u);
  CHECK(parse_size("500M") == 500'000'000u);
  CHECK(parse_size("2GiB") == 2147483648u);
  CHECK(parse_size("64 KiB") == 65536u);
  CHECK(parse_size("1k") == 1000u);
  CHECK(parse_size("0") == 0u);
  CHECK_FALSE(parse_size("-1"));
  CHECK_FALSE(parse_size("3X"));
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("G"));
  CHECK_FALSE(parse_size("99999999999T"));
  CHECK(size_words(3'000'000'000u) == "3 GB");
  CHECK(size_words(1'000'000'000'000u) == "1 TB");
  CHECK(size_words(1) == "1 byte");
}

TEST_CASE("durations: ms, s, m, h, and a bare number is seconds") {
  CHECK(parse_duration("30s") == 30.0);
  CHECK(parse_duration("2m") == 120.0);
  CHECK(parse_duration("500ms") == 0.5);
  CHECK(parse_duration("1.5h") == 5400.0);
  CHECK(parse_duration("90") == 90.0);
  CHECK_FALSE(parse_duration("-3s"));
  CHECK_FALSE(parse_duration("3 parsecs"));
  CHECK_FALSE(parse_duration("s"));
  CHECK(duration_words(30) == "30 s");
  CHECK(duration_words(7 * 86400.0) == "7 days");
  CHECK(duration_words(0.5) == "500 ms");
}

TEST_CASE("Counts: the worst verdict wins, unusable paths count as rejected") {
  Counts counts;
  CHECK(counts.worst() == VerdictKind::ok);
  counts.add(VerdictKind::ok);
  counts.add(VerdictKind::fixable);
  CHECK(counts.worst() == VerdictKind::fixable);
  counts.unusable_paths = 1;
  CHECK(counts.worst() == VerdictKind::rejected);
  CHECK(counts.files() == 2);
  CHECK(summary_line(counts) ==
        "2 files: 1 ok, 1 fixable, 0 rejected; 1 path could not be examined");
  CHECK(summary_line(Counts{1, 0, 0, 0}) == "1 file: 1 ok, 0 fixable, 0 rejected");
}

TEST_CASE("human_line: verdict column, path, main finding") {
  CheckResult r;
  r.path = "dir/clip one.ts";
  CHECK(human_line(r, false) == "ok        dir/clip one.ts");

  r.verdict.kind = VerdictKind::fixable;
  r.verdict.action = Action::remux;
  r.verdict.findings = {{"container_not_accepted", Severity::error,
                         "container mpegts is not accepted", Action::remux},
                        {"no_audio_track", Severity::warning, "no audio", Action::none}};
  CHECK(human_line(r, false) ==
        "fixable   dir/clip one.ts  remux: container mpegts is not accepted (+1 more)");

  const std::string coloured = human_line(r, true);
  CHECK(coloured.find("\033[33mfixable\033[0m") == 0);

  r.verdict.kind = VerdictKind::rejected;
  r.verdict.action = Action::none;
  r.verdict.findings.insert(r.verdict.findings.begin() + 1,
                            {"no_video_stream", Severity::error, "no video stream", Action::none});
  CHECK(main_finding(r.verdict)->code == "no_video_stream");  // what no fix can cure comes first
  CHECK(human_line(r, false) == "rejected  dir/clip one.ts  no video stream (+2 more)");

  r.verdict = {};
  r.verdict.findings = {{"no_audio_track", Severity::warning, "no audio\ttrack", Action::none}};
  r.path = "new\nline.mp4";
  CHECK(human_line(r, false) == "ok        new?line.mp4  warning: no audio?track");
  CHECK(human_details(r, false) == "    warning no_audio_track: no audio?track\n");
}

TEST_CASE("JSON output: invalid UTF-8 is replaced, rationals print as FFmpeg does") {
  CheckResult r;
  r.path = "bad\xff.mp4";
  Json j = r;
  const std::string text = dump(j);
  CHECK(text.find("bad\xEF\xBF\xBD.mp4") != std::string::npos);  // U+FFFD
  CHECK_FALSE(j.contains("media"));

  r.media.emplace();
  j = r;
  CHECK(j.contains("media"));
  CHECK(rational_json({30000, 1001}, '/') == "30000/1001");
  CHECK(rational_json({16, 9}, ':') == "16:9");
  CHECK(rational_json({0, 1}, '/').is_null());
}

TEST_CASE("parallel_map keeps input order whatever the number of workers") {
  for (unsigned jobs : {1u, 2u, 4u, 16u}) {
    const auto results = parallel_map<int>(100, jobs, [](std::size_t i) {
      // Later items finish first: results still land at their index.
      std::this_thread::sleep_for(std::chrono::microseconds((100 - i) * 10));
      return static_cast<int>(i) * 2;
    });
    REQUIRE(results.size() == 100);
    for (std::size_t i = 0; i < results.size(); ++i) {
      REQUIRE(results[i].has_value());
      CHECK(*results[i] == static_cast<int>(i) * 2);
    }
  }
  CHECK(parallel_map<int>(0, 4, [](std::size_t) { return 1; }).empty());
}

TEST_CASE("parallel_map rethrows the first failure and honours stop") {
  CHECK_THROWS_AS(parallel_map<int>(10, 3,
                                    [](std::size_t i) -> int {
                                      if (i == 5)
                                        throw std::runtime_error("boom");
                                      return 0;
                                    }),
                  std::runtime_error);

  std::atomic<int> started{0};
  const auto results = parallel_map<int>(
      50, 1, [&](std::size_t) { return ++started; }, [&] { return started >= 10; });
  CHECK(started == 10);
  CHECK(results[9].has_value());
  CHECK_FALSE(results[10].has_value());
}

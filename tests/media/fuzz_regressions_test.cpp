// Every input the fuzzers ever crashed on (tests/fuzz/regressions/) is probed again, from disk
// and from memory, shallow and deep: each must end in a MediaInfo or a typed mavi::Error.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "mavi/error.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;

TEST_CASE("fuzz regressions probe without crashing", "[probe][fuzz]") {
  const fs::path dir = mavi::test::source_dir() / "tests" / "fuzz" / "regressions";
  REQUIRE(fs::is_directory(dir));
  int probed = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md")
      continue;
    INFO(entry.path());
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in),
                                           std::istreambuf_iterator<char>()};
    for (const bool deep : {false, true}) {
      mavi::ProbeOptions options;
      options.deep = deep;
      options.deep_time_limit = std::chrono::milliseconds(5'000);
      try {
        (void)mavi::evaluate(mavi::probe_memory(bytes, entry.path().filename().string(), options));
      } catch (const mavi::Error& error) {
        CHECK(mavi::evaluate_failure(error).kind == mavi::VerdictKind::rejected);
      }
      try {
        (void)mavi::evaluate(mavi::probe(entry.path(), options));
      } catch (const mavi::Error& error) {
        CHECK(mavi::evaluate_failure(error).kind == mavi::VerdictKind::rejected);
      }
    }
    ++probed;
  }
  SUCCEED("probed " << probed << " regression inputs");
}

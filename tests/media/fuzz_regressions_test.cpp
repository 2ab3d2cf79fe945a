// Every input the fuzzers ever found a fault with (tests/fuzz/regressions/, every subfolder) and
// every seed of the probe fuzzer (tests/fuzz/corpus/probe/) is probed again, from disk and from
// memory, shallow and deep. Each must end in a MediaInfo or a mavi::Error of a kind probe()
// documents (never another exception, never a crash); check() must never throw; and the verdict
// must follow from its findings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "mavi/check.hpp"
#include "mavi/error.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;
using namespace mavi;

namespace {

// The kinds probe() and probe_memory() may throw (include/mavi/probe.hpp).
bool documented_probe_error(Errc kind) {
  switch (kind) {
    case Errc::not_found:
    case Errc::permission_denied:
    case Errc::empty_file:
    case Errc::not_media:
    case Errc::unreadable:
    case Errc::io:
      return true;
    default:
      return false;
  }
}

// A verdict is rejected exactly when some error finding has no fix; otherwise its action is the
// largest fix any error finding asks for, and it is ok exactly when that is none.
void check_consistent(const Verdict& verdict) {
  bool unfixable = false;
  Action largest = Action::none;
  for (const Finding& f : verdict.findings) {
    INFO("finding " << f.code << " (" << to_string(f.severity) << ", fix " << to_string(f.fix)
                    << "): " << f.message);
    CHECK_FALSE(f.code.empty());
    if (f.severity != Severity::error)
      continue;
    if (f.fix == Action::none)
      unfixable = true;
    largest = std::max(largest, f.fix);
  }
  INFO("verdict " << to_string(verdict.kind) << ", action " << to_string(verdict.action));
  CHECK((verdict.kind == VerdictKind::rejected) == unfixable);
  if (unfixable) {
    CHECK(verdict.action == Action::none);
  } else {
    CHECK(verdict.action == largest);
    CHECK((verdict.kind == VerdictKind::ok) == (largest == Action::none));
  }
}

// How one probe ended: the media it found, or the kind of the mavi::Error it threw.
struct Outcome {
  std::optional<MediaInfo> media;
  std::optional<Errc> error;
};

// Runs `probe_it`; any exception other than a documented mavi::Error fails the test.
template <typename Probe>
Outcome probe_outcome(Probe&& probe_it) {
  Outcome outcome;
  try {
    outcome.media = probe_it();
  } catch (const Error& error) {
    INFO("mavi::Error " << to_string(error.kind()) << ": " << error.what());
    CHECK(documented_probe_error(error.kind()));
    // The verdict a user sees names the reason, as the probe gave it.
    const Verdict verdict = evaluate_failure(error);
    REQUIRE_FALSE(verdict.findings.empty());
    CHECK(verdict.findings.front().message == error.what());
    CHECK(verdict.findings.front().severity == Severity::error);
    outcome.error = error.kind();
  } catch (const std::exception& other) {
    FAIL("probe threw something other than mavi::Error: " << other.what());
  } catch (...) {
    FAIL("probe threw something other than a std::exception");
  }
  if (outcome.media)
    check_consistent(evaluate(*outcome.media));
  return outcome;
}

std::vector<fs::path> files_under(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() != ".md")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("fuzz regressions and probe seeds probe without crashing", "[probe][fuzz]") {
  const fs::path fuzz = test::source_dir() / "tests" / "fuzz";
  int probed = 0;
  int with_media = 0;
  int with_error = 0;
  for (const fs::path& root : {fuzz / "regressions", fuzz / "corpus" / "probe"}) {
    INFO(root);
    REQUIRE(fs::is_directory(root));
    const std::vector<fs::path> files = files_under(root);
    REQUIRE_FALSE(files.empty());
    for (const fs::path& path : files) {
      INFO(path);
      std::ifstream in(path, std::ios::binary);
      REQUIRE(in);
      const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in),
                                             std::istreambuf_iterator<char>()};
      for (const bool deep : {false, true}) {
        INFO((deep ? "deep" : "shallow"));
        ProbeOptions options;
        options.deep = deep;
        options.deep_time_limit = std::chrono::milliseconds(5'000);

        const Outcome from_memory =
            probe_outcome([&] { return probe_memory(bytes, path.filename().string(), options); });
        const Outcome from_disk = probe_outcome([&] { return probe(path, options); });
        // Memory and disk see the same bytes: both probe, or both fail the same way.
        CHECK(from_memory.media.has_value() == from_disk.media.has_value());
        CHECK(from_memory.error == from_disk.error);

        std::optional<CheckResult> checked;
        CHECK_NOTHROW(checked = check(path, options));
        if (checked) {
          check_consistent(checked->verdict);
          CHECK(checked->media.has_value() == from_disk.media.has_value());
          if (from_disk.media)
            CHECK(checked->verdict.kind == evaluate(*from_disk.media).kind);
          else
            CHECK(checked->verdict.kind == VerdictKind::rejected);
        }
        (from_disk.media ? with_media : with_error) += 1;
      }
      ++probed;
    }
  }
  REQUIRE(probed > 0);
  // The corpus holds both real media and junk: both paths above were taken.
  CHECK(with_media > 0);
  CHECK(with_error > 0);
  SUCCEED("probed " << probed << " files (" << with_media << " probes found media, " << with_error
                    << " failed as documented)");
}

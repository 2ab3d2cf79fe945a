// mavi-check: tell for each video whether MAVI accepts it as it is, what would fix it, or why
// it cannot be used. Options -> discover -> check (in parallel) -> print -> exit status.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli/allocator.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/json.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/parallel.hpp"
#include "cli/progress.hpp"
#include "mavi/check.hpp"
#include "mavi/discover.hpp"
#include "mavi/error.hpp"
#include "mavi/log.hpp"
#include "mavi/version.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::cli::ExitCode;
using mavi::cli::to_int;

struct Options {
  std::vector<std::string> paths;
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  unsigned jobs = 0;  // 0: one per core
  mavi::DiscoverOptions discover;
  mavi::ProbeOptions probe;
  double deep_time_limit_seconds = 60;
  mavi::Rules rules;
  std::string api = "classic";  // whose documented requirements apply
  mavi::LogLevel log_level = mavi::LogLevel::quiet;
  double min_duration_seconds = rules.min_duration.count();
  double max_duration_seconds = rules.max_duration.count();
};

// check() reports bad files as verdicts; anything else escaping it is a bug, which still
// must not take the other files down with it.
mavi::CheckResult check_one(const fs::path& path, const Options& options) {
  try {
    return mavi::check(path, options.probe, options.rules);
  } catch (const mavi::Error& e) {
    mavi::CheckResult result;
    result.path = path;
    result.verdict = mavi::evaluate_failure(e);
    return result;
  } catch (const std::exception& e) {
    mavi::CheckResult result;
    result.path = path;
    result.verdict.kind = mavi::VerdictKind::rejected;
    result.verdict.findings.push_back({"internal_error", mavi::Severity::error,
                                       std::string("internal error while checking: ") + e.what(),
                                       mavi::Action::none});
    return result;
  }
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("PATH", o.paths,
                 "Files or folders to check. Folders are walked recursively for video "
                 "extensions; a file named here is always checked ('-', standard input, is "
                 "not supported: a video needs seeking). An http:// or https:// URL is read "
                 "over the network (range requests where the server takes them)");
  app.add_flag("--json", o.json, "Print one JSON document on stdout (see docs/check-json.md)");
  app.add_flag("-q,--quiet", o.quiet, "No progress line and no informational notes on stderr");
  app.add_flag("-v,--verbose", o.verbose, "List every finding under each file");
  app.add_option("-j,--jobs", o.jobs, "Files probed in parallel (0: one per core)")
      ->check(CLI::Range(0u, 1024u))
      ->capture_default_str();
  app.add_flag("--all-files", o.discover.all_files,
               "In folders, check every regular file, not only video extensions");
  app.add_flag("--hidden", o.discover.include_hidden,
               "In folders, also check files and folders whose name starts with '.'");

  // FFmpeg's own messages would break the one-line-per-file output; findings carry its text.
  const std::map<std::string, mavi::LogLevel> levels{{"quiet", mavi::LogLevel::quiet},
                                                     {"error", mavi::LogLevel::error},
                                                     {"warning", mavi::LogLevel::warning},
                                                     {"info", mavi::LogLevel::info},
                                                     {"debug", mavi::LogLevel::debug}};
  app.add_option("--log-level", o.log_level, "FFmpeg messages on stderr")
      ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case))
      ->default_str("quiet");

  auto* rules = "Rules";
  mavi::cli::add_api_option(
      app, o.api, "API generation whose documented requirements apply",
      [](const mavi::ApiGenerationInfo& api) { return "(" + api.formats + ")"; })
      ->group(rules);
  app.add_flag("--require-audio", o.rules.require_audio,
               "A file without an audio track is rejected (default: a warning)")
      ->group(rules);
  app.add_flag("--strict", o.rules.strict,
               "Warnings that preparation can fix (pixel format other than 8-bit 4:2:0, odd "
               "dimensions, rotation, HDR, interlacing, audio codec, decoding errors) make the "
               "file fixable")
      ->group(rules);
  mavi::cli::add_size_option(app, "--max-size", o.rules.max_size_bytes,
                             "Largest acceptable file (k, M, G: powers of 1000; KiB, MiB, GiB: "
                             "of 1024)",
                             1, std::uintmax_t{1} << 60)
      ->group(rules);
  app.add_option("--video-codecs", o.rules.accepted_video_codecs,
                 "Accepted video codecs, FFmpeg names, comma-separated")
      ->delimiter(',')
      ->default_str("h264,hevc,vp9")
      ->group(rules);
  mavi::cli::add_duration_option(app, "--min-duration", o.min_duration_seconds,
                                 "Shorter files get a warning (500ms, 2s)", 0, 365 * 86400.0)
      ->group(rules);
  mavi::cli::add_duration_option(app, "--max-duration", o.max_duration_seconds,
                                 "Longer files get a warning (90m, 4h)", 0.001, 365 * 86400.0)
      ->group(rules);
  app.add_option("--max-dimension", o.rules.max_dimension,
                 "Wider or taller videos get a warning (pixels)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str()
      ->group(rules);
  app.add_option("--max-frame-rate", o.rules.max_frame_rate,
                 "Faster frame rates get a warning (frames per second)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group(rules);

  auto* probe = "Probing";
  app.add_flag("--deep", o.probe.deep,
               "Also decode every stream to find corruption that headers hide (slower)")
      ->group(probe);
  mavi::cli::add_duration_option(app, "--deep-time-limit", o.deep_time_limit_seconds,
                                 "Longest deep check per file (30s, 5m)", 0.001, 7 * 86400.0)
      ->group(probe);
}

int run(int argc, char** argv) {
  CLI::App app{
      "Check videos before sending them to MAVI: for each file, say whether MAVI "
      "accepts it as it is (ok), what would fix it (fixable: remux or transcode), or "
      "why it cannot be used (rejected).",
      "mavi-check"};
  Options o;
  add_options(app, o);
  mavi::cli::apply_conventions(app);
  app.set_version_flag("--version", "mavi-check " + std::string(mavi::version()));
  app.footer(mavi::cli::exit_codes_help(mavi::cli::Program::check));
  if (const auto status = mavi::cli::parse_command_line(app, argc, argv))
    return *status;
  if (o.paths.empty()) {
    std::cerr << "mavi-check: no PATH given (see mavi-check --help)\n";
    return to_int(ExitCode::usage);
  }
  if (o.jobs == 0)
    o.jobs = std::max(1u, std::thread::hardware_concurrency());
  mavi::apply_rule_set(o.rules, o.api);
  o.rules.min_duration = mavi::Seconds(o.min_duration_seconds);
  o.rules.max_duration = mavi::Seconds(o.max_duration_seconds);
  o.probe.deep_time_limit =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.deep_time_limit_seconds * 1000.0));

  mavi::set_log_level(o.log_level);
  mavi::cli::install_interrupt_handlers();
  o.probe.cancel = mavi::cli::interrupt_token();

  std::vector<fs::path> paths(o.paths.begin(), o.paths.end());
  o.discover.allow_urls = true;  // http(s):// sources are read over the network
  const mavi::Discovery discovery = mavi::discover(paths, o.discover);
  mavi::cli::Counts counts;
  for (const auto& note : discovery.notes) {
    if (note.is_error)
      ++counts.unusable_paths;
    if (note.is_error || !o.quiet) {
      std::cerr << "mavi-check: " << mavi::cli::printable(note.path.string()) << ": " << note.reason
                << "\n";
    }
  }

  mavi::cli::Progress progress("checked", discovery.files.size(), o.quiet);
  const auto results = mavi::cli::parallel_map<mavi::CheckResult>(
      discovery.files.size(), o.jobs,
      [&](std::size_t i) {
        auto result = check_one(discovery.files[i].path, o);
        progress.advance();
        return result;
      },
      [] { return mavi::cli::interrupt_signal() != 0; });
  progress.finish();
  if (const int signal_number = mavi::cli::interrupt_signal(); signal_number != 0) {
    std::cerr << "mavi-check: interrupted\n";
    mavi::cli::die_by_signal(signal_number);
  }

  for (const auto& r : results)
    counts.add(r->verdict.kind);

  if (o.json) {
    mavi::cli::Json doc{
        {"tool", "mavi-check"},
        {"version", std::string(mavi::version())},
        {"rules", o.rules},
        {"probe", {{"deep", o.probe.deep}, {"deep_time_limit_seconds", o.deep_time_limit_seconds}}},
        {"files", mavi::cli::Json::array()},
        {"notes", discovery.notes}};
    for (const auto& r : results)
      doc["files"].push_back(*r);
    doc["summary"] = {{"files", counts.files()},
                      {"ok", counts.ok},
                      {"fixable", counts.fixable},
                      {"rejected", counts.rejected},
                      {"unusable_paths", counts.unusable_paths}};
    std::cout << mavi::cli::dump(doc) << "\n";
  } else {
    const bool color = mavi::cli::color_enabled(STDOUT_FILENO);
    for (const auto& r : results) {
      std::cout << mavi::cli::human_line(*r, color) << "\n";
      if (o.verbose)
        std::cout << mavi::cli::human_details(*r, color);
    }
    std::cout << mavi::cli::summary_line(counts) << "\n";
  }
  if (!mavi::cli::flush_results("mavi-check"))
    return to_int(ExitCode::internal);
  return to_int(mavi::cli::exit_code_for(counts.worst()));
}

}  // namespace

int main(int argc, char** argv) {
  mavi::cli::keep_freed_memory_for_reuse();
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mavi-check: internal error: " << e.what() << "\n";
    return to_int(ExitCode::internal);
  } catch (...) {
    std::cerr << "mavi-check: internal error\n";
    return to_int(ExitCode::internal);
  }
}

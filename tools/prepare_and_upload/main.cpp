// mavi-prepare-and-upload: check each video, remux or re-encode what needs it into a verified
// MP4, upload what MAVI accepts and report its answer, as a resumable pipeline over any number
// of files. Options -> discover -> run_batch (libmavi) -> print -> exit status.
#include <CLI/CLI.hpp>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/allocator.hpp"
#include "cli/batch_json.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/json.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "mavi/batch.hpp"
#include "mavi/discover.hpp"
#include "mavi/error.hpp"
#include "mavi/journal.hpp"
#include "mavi/log.hpp"
#include "mavi/version.hpp"
#include "prepare_and_upload/clean_up.hpp"
#include "prepare_and_upload/file_report.hpp"
#include "prepare_and_upload/journal_report.hpp"
#include "prepare_and_upload/options.hpp"
#include "prepare_and_upload/ordered_lines.hpp"
#include "prepare_and_upload/outage_text.hpp"
#include "prepare_and_upload/report.hpp"
#include "prepare_and_upload/status_line.hpp"
#include "prepare_and_upload/summary.hpp"
#include "prepare_and_upload/upload_options.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::cli::ExitCode;
using mavi::cli::Json;
using mavi::cli::to_int;

constexpr const char* kProgram = "mavi-prepare-and-upload";

int fail_with(const std::string& message, ExitCode code) {
  std::cerr << kProgram << ": " << message << "\n";
  return to_int(code);
}

fs::path journal_path(const mavi::cli::PrepareCliOptions& o) {
  return o.journal.empty() ? mavi::Journal::default_path() : fs::path(o.journal);
}

int run(int argc, char** argv) {
  CLI::App app{
      "Check videos, remux or re-encode what MAVI would not accept into a verified MP4, "
      "and upload them: a resumable pipeline for one file or thousands.\n",
      kProgram};
  mavi::cli::PrepareCliOptions o;
  mavi::cli::add_options(app, o);
  mavi::cli::apply_conventions(app);
  // --delete VIDEO_NO... takes every id that follows: it runs without PATHs to confuse them with.
  app.get_option("--delete")->allow_extra_args(true);
  app.set_version_flag("--version", std::string(kProgram) + " " + std::string(mavi::version()));
  app.footer(mavi::cli::exit_codes_help(mavi::cli::Program::prepare_and_upload));
  if (const auto status = mavi::cli::parse_command_line(app, argc, argv))
    return *status;
  if (o.report)
    return mavi::cli::run_report(journal_path(o), o.json, kProgram);
  if (const std::string problem = mavi::cli::usage_problem(app, o); !problem.empty())
    return fail_with(problem + " (see " + kProgram + " --help)", ExitCode::usage);
  const mavi::cli::RunMode mode{!o.no_upload, o.dry_run, o.wait && o.uploading()};

  // Before anything is written (the journal included): SIGXFSZ is ignored there.
  mavi::cli::install_interrupt_handlers();
  // libcurl's process-wide state, before any thread starts.
  const mavi::HttpGlobal http_global;
  if (o.cleaning_up())
    return mavi::cli::run_clean_up(o, journal_path(o), kProgram);
  std::optional<mavi::Client> client;
  if (o.uploading()) {
    try {
      client.emplace(mavi::cli::make_client_config(o.upload, std::cerr, std::cerr));
    } catch (const mavi::Error& e) {
      return fail_with(e.what(), ExitCode::usage);
    }
  }
  std::optional<mavi::Journal> journal;
  // Without uploads the journal still keeps which outputs the batch wrote into -o DIR.
  if (!o.dry_run && !o.no_journal) {
    try {
      mavi::JournalOptions options;
      options.wait_for_lock =
          std::chrono::milliseconds(static_cast<long long>(o.wait_for_journal_seconds * 1000));
      options.cancel = mavi::cli::interrupt_token();
      journal.emplace(journal_path(o), options);
    } catch (const mavi::Error& e) {
      if (e.kind() == mavi::Errc::journal_locked)
        return fail_with(e.what(), ExitCode::journal_busy);
      // Uploads need it (no duplicates); preparing only can do without unless it was named.
      if (o.uploading() || !o.journal.empty())
        return fail_with(e.what(), ExitCode::failed);
      std::cerr << kProgram << ": warning: " << e.what()
                << " (going on without a journal: a re-run will not know these outputs)\n";
    }
  }
  mavi::set_log_level(mavi::LogLevel::quiet);

  // http(s):// sources: by URL where MAVI fetches them, otherwise downloaded and prepared.
  mavi::DiscoverOptions discover_options;
  discover_options.allow_urls = true;
  const mavi::Discovery found = mavi::discover({o.paths.begin(), o.paths.end()}, discover_options);
  std::vector<fs::path> files;
  for (const auto& f : found.files)
    files.push_back(f.path);
  std::size_t unusable_paths = 0;
  for (const auto& note : found.notes) {
    unusable_paths += note.is_error ? 1 : 0;
    if (!o.quiet || note.is_error)
      std::cerr << kProgram << ": " << mavi::cli::printable(note.path.string()) << ": "
                << note.reason << "\n";
  }

  mavi::BatchOptions batch = mavi::cli::batch_options(o);
  batch.cancel = mavi::cli::interrupt_token();
  mavi::cli::StatusLine status(files.size(), o.quiet || o.json_lines);
  mavi::cli::OrderedLines lines(files.size(), [&](const std::string& text) { status.print(text); });
  batch.prepare_progress = [&](const fs::path& file, double done_s, double total_s, double speed) {
    status.on_prepare(file, done_s, total_s, speed);
  };
  batch.upload_progress = [&](const fs::path& file, const mavi::UploadProgress& p) {
    status.on_upload(file, p);
  };
  batch.service_observer = [&](const mavi::ServiceEvent& event) {
    if (o.json_lines) {
      std::cout << mavi::cli::dump_line(mavi::cli::service_event_json(event)) << "\n" << std::flush;
      return;
    }
    if (!o.quiet && event.kind != mavi::ServiceEvent::Kind::probe_failed) {
      status.clear();
      std::cerr << kProgram << ": " << mavi::cli::service_event_line(event) << "\n";
    }
    status.on_service(event);
  };
  batch.observer = [&](const mavi::BatchEvent& event) {
    using Kind = mavi::BatchEventKind;
    if (o.json_lines) {
      if (event.kind != Kind::finished && event.kind != Kind::outside_shard)
        std::cout << mavi::cli::dump_line(mavi::cli::event_json(event)) << "\n" << std::flush;
      return;
    }
    status.on_event(event);
    if (o.json)
      return;
    if (event.kind == Kind::finished) {
      std::string text = mavi::cli::outcome_line(event.file, mode) + "\n";
      if (o.dry_run && event.file.plan)
        text += mavi::cli::indented(mavi::describe(*event.file.plan));
      lines.add(event.file.index, std::move(text));
    } else if (event.kind == Kind::outside_shard) {
      lines.add(event.file.index, "");
    } else if (event.kind == Kind::processed) {
      status.print("processed " + mavi::cli::printable(event.file.path.string()) + "  " +
                   mavi::cli::printable(event.file.upload->video.video_no) + "  " +
                   event.file.upload->video.video_status + "\n");
    }
  };

  mavi::BatchResult result;
  try {
    result =
        mavi::run_batch(files, batch, client ? &*client : nullptr, journal ? &*journal : nullptr);
  } catch (const mavi::Error& e) {
    status.clear();
    return fail_with(e.what(),
                     e.kind() == mavi::Errc::invalid_argument ? ExitCode::usage : ExitCode::failed);
  }
  lines.finish();
  status.clear();

  const mavi::cli::BatchCounts counts = mavi::cli::count(result, unusable_paths);
  if (o.json) {
    std::cout << mavi::cli::dump(mavi::cli::report_json(o, journal ? &*journal : nullptr, found,
                                                        result, counts, mode))
              << "\n";
  } else if (o.json_lines) {
    Json end = {{"event", "summary"}};
    end.update(mavi::cli::summary_json(counts, result, mode));
    std::cout << mavi::cli::dump_line(end) << "\n";
  } else if (!o.quiet) {
    std::cout << mavi::cli::summary_text(counts, result, mode);
    if (o.keep_prepared && !result.work_dir.empty())
      std::cout << "prepared files kept in " << mavi::cli::printable(result.work_dir.string())
                << "\n";
  }
  if (result.fatal_error) {
    std::cerr << kProgram << ": stopped: " << mavi::cli::why_stopped(*result.fatal_error)
              << " (the files not done are left for the next run)\n";
  }
  const bool written = mavi::cli::flush_results(kProgram);
  if (const int sig = mavi::cli::interrupt_signal(); sig != 0)
    mavi::cli::die_by_signal(sig);
  if (!written)
    return to_int(ExitCode::internal);
  return to_int(mavi::cli::exit_code(counts, result, mode));
}

}  // namespace

int main(int argc, char** argv) {
  mavi::cli::keep_freed_memory_for_reuse();
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << kProgram << ": internal error: " << e.what() << "\n";
    return to_int(ExitCode::internal);
  }
}

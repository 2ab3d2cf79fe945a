// mavi-prepare-and-upload: check each video, remux or re-encode what needs it into a verified
// MP4, upload what MAVI accepts and report its answer, as a resumable pipeline over any number
// of files. Options -> discover -> run_batch (libmavi) -> print -> exit status.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/allocator.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "mavi/batch.hpp"
#include "mavi/discover.hpp"
#include "mavi/error.hpp"
#include "mavi/journal.hpp"
#include "mavi/log.hpp"
#include "mavi/prepare.hpp"
#include "mavi/version.hpp"
#include "prepare_and_upload/file_report.hpp"
#include "prepare_and_upload/journal_report.hpp"
#include "prepare_and_upload/status_line.hpp"
#include "prepare_and_upload/upload_options.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::cli::ExitCode;
using mavi::cli::Json;
using mavi::cli::to_int;

constexpr std::uintmax_t kDefaultMaxWorkBytes = 10ull << 30;  // 10 GiB

struct Options {
  std::vector<std::string> paths;
  std::string output_dir;
  bool no_upload = false;
  bool dry_run = false;
  bool copy_ok = false;
  bool json = false;
  bool json_lines = false;
  bool quiet = false;
  mavi::PrepareOptions prepare;
  int max_height = 0;  // 0: no limit
  mavi::Rules rules;
  mavi::cli::UploadCliOptions upload;
  // batches
  unsigned jobs = 0;
  unsigned upload_concurrency = 1;
  std::string work_dir;
  bool keep_prepared = false;
  std::uintmax_t max_work_bytes = kDefaultMaxWorkBytes;
  std::string journal;
  bool no_journal = false;
  bool force = false;
  bool report = false;
  bool wait = false;
  double wait_timeout_seconds = 1800;
  std::pair<unsigned, unsigned> shard{0, 1};
};

// "K/N" with 0 <= K < N.
std::string parse_shard(const std::string& text, std::pair<unsigned, unsigned>& shard) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos)
      throw std::invalid_argument(text);
    std::size_t used_k = 0, used_n = 0;
    const unsigned long k = std::stoul(text.substr(0, slash), &used_k);
    const unsigned long n = std::stoul(text.substr(slash + 1), &used_n);
    if (used_k != slash || used_n != text.size() - slash - 1 || n == 0 || k >= n || n > 100000)
      throw std::invalid_argument(text);
    shard = {static_cast<unsigned>(k), static_cast<unsigned>(n)};
    return {};
  } catch (const std::exception&) {
    return "--shard must be K/N with 0 <= K < N (e.g. 0/4), not '" + text + "'";
  }
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("PATH", o.paths,
                 "Files or folders to prepare and upload (folders are walked for video "
                 "extensions)");
  app.add_option("-o,--output-dir", o.output_dir,
                 "Keep the prepared files in this folder (created if missing)");
  app.add_flag("--no-upload", o.no_upload, "Prepare only; do not upload (needs -o DIR)");
  app.add_flag("--dry-run", o.dry_run, "Print what would be done per file; touch nothing");
  app.add_flag("--copy-ok", o.copy_ok,
               "With --no-upload: also copy files that are already acceptable into -o DIR");
  app.add_flag("--json", o.json, "Print one JSON report on stdout at the end");
  app.add_flag("--json-lines", o.json_lines,
               "Print one JSON object per event (checked, prepared, uploaded, parsed, failed, "
               "...) on stdout as it happens");
  app.add_flag("-q,--quiet", o.quiet, "No progress line and no notes on stderr");

  const std::string prep = "Preparation";
  app.add_option("--preset", o.prepare.preset, "libx264 preset for re-encoding")
      ->capture_default_str()
      ->check(CLI::IsMember({"ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                             "slow", "slower", "veryslow", "placebo"}))
      ->group(prep);
  app.add_option("--crf", o.prepare.crf, "libx264 quality (0 best .. 51 worst)")
      ->capture_default_str()
      ->check(CLI::Range(0, 51))
      ->group(prep);
  app.add_option("--max-height", o.max_height,
                 "Downscale taller video to this height, keeping the aspect ratio")
      ->check(CLI::Range(16, 8640))
      ->group(prep);
  app.add_option("--threads", o.prepare.threads,
                 "Codec threads per file (0: automatic, a fair share of the cores per job)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256))
      ->group(prep);
  app.add_option("--max-size", o.prepare.max_size_bytes,
                 "Largest acceptable file in bytes; larger results are re-encoded to fit")
      ->capture_default_str()
      ->check(CLI::Range(std::uintmax_t{1'000'000}, std::uintmax_t{1'000'000'000'000}))
      ->group(prep);
  app.add_flag("--strict", o.rules.strict,
               "Also fix what is only a warning: pixel format, odd size, rotation, HDR, "
               "interlacing")
      ->group(prep);

  const std::string batch = "Batch";
  app.add_option("-j,--jobs", o.jobs, "Files checked and prepared in parallel (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1024u))
      ->group(batch);
  app.add_option("--upload-concurrency", o.upload_concurrency, "Uploads running at the same time")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u))
      ->group(batch);
  app.add_option("--work-dir", o.work_dir,
                 "Folder for prepared files waiting to be uploaded (default: a private "
                 "temporary folder)")
      ->group(batch);
  app.add_flag("--keep-prepared", o.keep_prepared,
               "Keep prepared files in the work folder after uploading them")
      ->group(batch);
  app.add_option("--max-work-bytes", o.max_work_bytes,
                 "Pause preparing while the prepared files not yet uploaded would exceed this "
                 "(suffixes k, M, G accepted; default 10G)")
      ->transform(CLI::AsSizeValue(false))
      ->group(batch);
  app.add_option("--journal", o.journal,
                 "SQLite journal of this batch (default: $XDG_STATE_HOME/mavi/journal.sqlite "
                 "or ~/.local/state/mavi/journal.sqlite)")
      ->group(batch);
  app.add_flag("--no-journal", o.no_journal,
               "Keep no journal: no resuming, and no protection against uploading the same "
               "content twice across runs")
      ->group(batch);
  app.add_flag("--force", o.force, "Upload again what the journal says is already uploaded")
      ->group(batch);
  app.add_flag("--report", o.report,
               "Print what the journal knows (with --json: every file and transition) and exit")
      ->group(batch);
  app.add_flag("--wait", o.wait,
               "After uploading, poll MAVI until every uploaded video is PARSE or FAIL")
      ->group(batch);
  app.add_option("--wait-timeout", o.wait_timeout_seconds, "Seconds --wait polls at most")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 7.0 * 24 * 3600))
      ->group(batch);
  app.add_option_function<std::string>(
         "--shard",
         [&o](const std::string& text) {
           if (const std::string error = parse_shard(text, o.shard); !error.empty())
             throw CLI::ValidationError(error);
         },
         "Only the files whose content fingerprint falls in shard K of N (0 <= K < N), for "
         "running one batch as N tasks")
      ->type_name("K/N")
      ->group(batch);
  mavi::cli::add_upload_options(app, o.upload);
}

struct Counts {
  std::size_t uploaded = 0, prepared = 0, ok = 0, copied = 0, planned = 0, skipped = 0,
              already_uploaded = 0, duplicates = 0, failed = 0, processing_failed = 0, parsed = 0;
};

Counts count(const mavi::BatchResult& result) {
  Counts c;
  for (const auto& f : result.files) {
    switch (f.status) {
      case mavi::FileStatus::uploaded:
        ++c.uploaded;
        break;
      case mavi::FileStatus::prepared:
        ++c.prepared;
        break;
      case mavi::FileStatus::ok:
        ++c.ok;
        break;
      case mavi::FileStatus::copied:
        ++c.copied;
        break;
      case mavi::FileStatus::planned:
        ++c.planned;
        break;
      case mavi::FileStatus::skipped:
        ++c.skipped;
        c.already_uploaded += f.already_uploaded ? 1 : 0;
        c.duplicates += f.duplicate_of ? 1 : 0;
        break;
      case mavi::FileStatus::failed:
        ++c.failed;
        break;
    }
    if (f.upload && f.upload->video.video_status == "FAIL")
      ++c.processing_failed;
    if (f.upload && f.upload->video.video_status == "PARSE")
      ++c.parsed;
  }
  return c;
}

Json summary_json(const Counts& c, const mavi::BatchResult& result, bool waited) {
  Json s = {{"files", result.files.size()},
            {"uploaded", c.uploaded},
            {"prepared", c.prepared},
            {"ok", c.ok},
            {"copied", c.copied},
            {"planned", c.planned},
            {"skipped", c.skipped},
            {"already_uploaded", c.already_uploaded},
            {"duplicates", c.duplicates},
            {"failed", c.failed},
            {"outside_shard", result.outside_shard}};
  if (waited) {
    s["parsed"] = c.parsed;
    s["processing_failed"] = c.processing_failed;
    s["wait_timed_out"] = result.wait_timed_out;
  }
  s["interrupted"] = result.stopped;
  return s;
}

// The last lines of a human run: counts, then every failure with its reason.
std::string summary_text(const Counts& c, const mavi::BatchResult& result, bool waited) {
  std::string text = std::to_string(result.files.size()) + " files: " + std::to_string(c.uploaded) +
                     " uploaded, " + std::to_string(c.skipped) + " skipped";
  if (c.already_uploaded != 0)
    text += " (" + std::to_string(c.already_uploaded) + " uploaded earlier)";
  if (c.duplicates != 0)
    text += " (" + std::to_string(c.duplicates) + " copies of another file)";
  text += ", " + std::to_string(c.failed) + " failed";
  if (c.prepared + c.ok + c.copied + c.planned != 0) {
    text += ", " + std::to_string(c.prepared) + " prepared, " + std::to_string(c.ok) + " ok, " +
            std::to_string(c.copied) + " copied, " + std::to_string(c.planned) + " planned";
  }
  if (waited) {
    text += "; MAVI: " + std::to_string(c.parsed) + " PARSE, " +
            std::to_string(c.processing_failed) + " FAIL";
    if (result.wait_timed_out)
      text += ", gave up waiting for the rest";
  }
  if (result.outside_shard != 0)
    text += "; " + std::to_string(result.outside_shard) + " left to other shards";
  text += "\n";
  bool header = false;
  for (const auto& f : result.files) {
    const bool rejected =
        f.status == mavi::FileStatus::skipped && !f.already_uploaded && !f.duplicate_of;
    const bool failed_at_mavi = f.upload && f.upload->video.video_status == "FAIL";
    if (f.status != mavi::FileStatus::failed && !rejected && !failed_at_mavi)
      continue;
    if (!header) {
      text += "not uploaded or not processed:\n";
      header = true;
    }
    text += "  " + mavi::cli::printable(f.path.string()) + ": ";
    if (failed_at_mavi)
      text += "MAVI could not process the video (FAIL)";
    else
      text += (f.error_kind.empty() ? std::string() : f.error_kind + ": ") +
              mavi::cli::printable(f.error);
    text += "\n";
  }
  return text;
}

std::string indent(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    out += "    " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

bool is_final_line(mavi::BatchEventKind kind, bool uploading) {
  using K = mavi::BatchEventKind;
  return kind == K::uploaded || kind == K::skipped || kind == K::failed ||
         (!uploading && kind == K::prepared);
}

int report_journal(const Options& o) {
  const fs::path path = o.journal.empty() ? mavi::Journal::default_path() : fs::path(o.journal);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    std::cerr << "mavi-prepare-and-upload: no journal at " << mavi::cli::printable(path.string())
              << "\n";
    return to_int(ExitCode::fixable);
  }
  mavi::Journal journal(path);
  mavi::cli::print_journal(journal, o.json, std::cout);
  return mavi::cli::flush_results("mavi-prepare-and-upload") ? to_int(ExitCode::ok)
                                                             : to_int(ExitCode::internal);
}

int run(int argc, char** argv) {
  CLI::App app{
      "Check videos, remux or re-encode what MAVI would not accept into a verified MP4, "
      "and upload them: a resumable pipeline for one file or thousands.\n",
      "mavi-prepare-and-upload"};
  Options o;
  add_options(app, o);
  mavi::cli::one_value_per_occurrence(app);
  app.set_version_flag("--version", std::string(mavi::version()));
  app.footer(mavi::cli::exit_codes_help());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : to_int(ExitCode::usage);
  }
  const auto usage_error = [](const std::string& message) {
    std::cerr << "mavi-prepare-and-upload: " << message << "\n";
    return to_int(ExitCode::usage);
  };
  if (o.report)
    return report_journal(o);
  if (o.paths.empty())
    return usage_error("no PATH given (see --help)");
  if (o.json && o.json_lines)
    return usage_error("--json and --json-lines are exclusive");
  if (o.output_dir.empty() && o.no_upload && !o.dry_run)
    return usage_error("--no-upload needs -o DIR (where prepared files go)");
  if (o.copy_ok && !o.no_upload && !o.dry_run)
    return usage_error(
        "--copy-ok goes with --no-upload (acceptable files are uploaded as they are)");
  if (!o.journal.empty() && o.no_journal)
    return usage_error("--journal and --no-journal are exclusive");
  if (const std::string error = mavi::cli::check_generation_options(app, o.upload); !error.empty())
    return usage_error(error);
  const bool uploading = !o.no_upload && !o.dry_run;

  // Before anything is written (the journal included): SIGXFSZ is ignored there.
  mavi::cli::install_interrupt_handlers();
  // libcurl's process-wide state, before any thread starts.
  const mavi::HttpGlobal http_global;
  std::optional<mavi::Client> client;
  if (uploading) {
    try {
      client.emplace(mavi::cli::make_client_config(o.upload, std::cerr, std::cerr));
    } catch (const mavi::Error& e) {
      return usage_error(e.what());
    }
  }
  std::optional<mavi::Journal> journal;
  // Without uploads the journal still keeps which outputs the batch wrote into -o DIR.
  if (!o.dry_run && !o.no_journal) {
    try {
      journal.emplace(o.journal.empty() ? mavi::Journal::default_path() : fs::path(o.journal));
    } catch (const mavi::Error& e) {
      std::cerr << "mavi-prepare-and-upload: " << e.what() << "\n";
      return to_int(ExitCode::fixable);
    }
  }
  mavi::set_log_level(mavi::LogLevel::quiet);

  std::vector<fs::path> paths(o.paths.begin(), o.paths.end());
  const mavi::Discovery found = mavi::discover(paths);
  std::vector<fs::path> files;
  for (const auto& f : found.files)
    files.push_back(f.path);
  for (const auto& note : found.notes) {
    if (!o.quiet || note.is_error) {
      std::cerr << (note.is_error ? "error: " : "note: ")
                << mavi::cli::printable(note.path.string()) << ": " << note.reason << "\n";
    }
  }

  mavi::BatchOptions batch;
  batch.rules = o.rules;
  batch.rules.max_size_bytes = o.prepare.max_size_bytes;
  batch.prepare = o.prepare;
  batch.prepare.strict = o.rules.strict;
  if (o.max_height > 0)
    batch.prepare.max_height = o.max_height;
  batch.jobs = o.jobs;
  batch.upload_concurrency = o.upload_concurrency;
  batch.upload = !o.no_upload;
  batch.dry_run = o.dry_run;
  batch.copy_ok = o.copy_ok;
  batch.output_dir = o.output_dir;
  batch.work_dir = o.work_dir;
  batch.keep_prepared = o.keep_prepared;
  batch.max_work_bytes = o.max_work_bytes;
  batch.force = o.force;
  batch.shard_index = o.shard.first;
  batch.shard_count = o.shard.second;
  batch.wait = o.wait;
  batch.wait_timeout = std::chrono::seconds(static_cast<long long>(o.wait_timeout_seconds));
  batch.upload_options = mavi::cli::make_upload_options(o.upload);
  batch.should_stop = [] { return mavi::cli::interrupt_signal() != 0; };

  mavi::cli::StatusLine status(files.size(), uploading, o.quiet || o.json_lines);
  batch.prepare_progress = [&](const fs::path& file, double done_s, double total_s, double speed) {
    status.on_prepare(file, done_s, total_s, speed);
  };
  batch.upload_progress = [&](const fs::path& file, const mavi::UploadProgress& p) {
    status.on_upload(file, p);
  };
  batch.observer = [&](const mavi::BatchEvent& event) {
    if (o.json_lines) {
      std::cout << mavi::cli::dump_line(mavi::cli::event_json(event)) << "\n" << std::flush;
      return;
    }
    status.on_event(event);
    if (o.json)
      return;
    if (is_final_line(event.kind, uploading)) {
      status.print(mavi::cli::outcome_line(event.file) + "\n");
    } else if (event.kind == mavi::BatchEventKind::processed) {
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
    std::cerr << "mavi-prepare-and-upload: " << e.what() << "\n";
    return to_int(e.kind() == mavi::Errc::invalid_argument ? ExitCode::usage : ExitCode::fixable);
  }
  status.clear();

  // Files that only ever got a verdict (no upload, ok, planned) have no final event: print
  // them now, in input order.
  if (!o.json && !o.json_lines) {
    for (const auto& f : result.files) {
      const bool printed = f.status == mavi::FileStatus::uploaded ||
                           f.status == mavi::FileStatus::skipped ||
                           f.status == mavi::FileStatus::failed ||
                           (f.status == mavi::FileStatus::prepared && !uploading) ||
                           f.status == mavi::FileStatus::copied;
      if (printed)
        continue;
      std::cout << mavi::cli::outcome_line(f) << "\n";
      if (o.dry_run && f.plan)
        std::cout << indent(mavi::describe(*f.plan));
    }
  }
  Counts counts = count(result);
  const bool waited = o.wait && uploading;
  for (const auto& note : found.notes) {
    if (note.is_error)  // a named PATH that is missing or cannot be listed
      ++counts.failed;
  }
  if (o.json) {
    Json doc;
    doc["tool"] = "mavi-prepare-and-upload";
    doc["version"] = std::string(mavi::version());
    doc["dry_run"] = o.dry_run;
    doc["output_dir"] = o.output_dir.empty() ? Json(nullptr) : Json(o.output_dir);
    doc["journal"] = journal ? Json(journal->path().string()) : Json(nullptr);
    doc["shard"] = std::to_string(o.shard.first) + "/" + std::to_string(o.shard.second);
    Json entries = Json::array();
    for (const auto& note : found.notes) {
      if (note.is_error)
        entries.push_back({{"path", note.path.string()},
                           {"verdict", nullptr},
                           {"action", "none"},
                           {"output", nullptr},
                           {"status", "failed"},
                           {"upload", nullptr},
                           {"error", note.reason}});
    }
    for (const auto& f : result.files)
      entries.push_back(mavi::cli::outcome_json(f));
    doc["files"] = entries;
    doc["summary"] = summary_json(counts, result, waited);
    std::cout << mavi::cli::dump(doc) << "\n";
  } else if (o.json_lines) {
    Json end = {{"event", "summary"}};
    end.update(summary_json(counts, result, waited));
    std::cout << mavi::cli::dump_line(end) << "\n";
  } else if (!o.quiet) {
    std::cerr << summary_text(counts, result, waited);
    if (o.keep_prepared && !result.work_dir.empty())
      std::cerr << "prepared files kept in " << mavi::cli::printable(result.work_dir.string())
                << "\n";
  }
  const bool written = mavi::cli::flush_results("mavi-prepare-and-upload");
  if (const int sig = mavi::cli::interrupt_signal(); sig != 0)
    mavi::cli::die_by_signal(sig);
  if (!written)
    return to_int(ExitCode::internal);
  const std::size_t rejected = counts.skipped - counts.already_uploaded - counts.duplicates;
  const bool all_done = counts.failed == 0 && rejected == 0 && !result.wait_timed_out &&
                        (!waited || counts.processing_failed == 0);
  return all_done ? to_int(ExitCode::ok) : to_int(ExitCode::fixable);
}

}  // namespace

int main(int argc, char** argv) {
  mavi::cli::keep_freed_memory_for_reuse();
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mavi-prepare-and-upload: internal error: " << e.what() << "\n";
    return to_int(ExitCode::internal);
  }
}

#include "prepare_and_upload/options.hpp"

#include <stdexcept>

#include "cli/options.hpp"

namespace mavi::cli {

namespace {

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

}  // namespace

void add_options(CLI::App& app, PrepareCliOptions& o) {
  app.add_option("PATH", o.paths,
                 "Files or folders to prepare and upload (folders are walked for video "
                 "extensions), or http(s):// URLs (v1: an acceptable one is handed to MAVI by "
                 "URL; otherwise downloaded, prepared and uploaded)");
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
  add_size_option(app, "--max-size", o.rules.max_size_bytes,
                  "Largest acceptable file (k, M, G: powers of 1000; KiB, MiB, GiB: of 1024); "
                  "larger results are re-encoded to fit",
                  1'000'000, 1'000'000'000'000)
      ->group(prep);
  app.add_flag("--strict", o.rules.strict,
               "Also fix what is only a warning: pixel format (not 8-bit 4:2:0), odd size, "
               "rotation, HDR, interlacing, audio codec, decoding errors")
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
  add_size_option(app, "--max-work-bytes", o.max_work_bytes,
                  "Pause preparing while the prepared files not yet uploaded would exceed this "
                  "(0: no limit)",
                  0, std::uintmax_t{1} << 60)
      ->group(batch);
  app.add_option("--journal", o.journal,
                 "SQLite journal of this batch (default: $XDG_STATE_HOME/mavi/journal.sqlite "
                 "or ~/.local/state/mavi/journal.sqlite)")
      ->group(batch);
  app.add_flag("--no-journal", o.no_journal,
               "Keep no journal: no resuming, and no protection against uploading the same "
               "content twice across runs")
      ->group(batch);
  add_duration_option(app, "--wait-for-journal", o.wait_for_journal_seconds,
                      "When another run holds the journal, wait this long for it to end "
                      "(default: refuse at once, naming its PID)",
                      0, 7 * 86400.0)
      ->group(batch);
  app.add_flag("--force", o.force, "Upload again what the journal says is already uploaded")
      ->group(batch);
  app.add_flag("--report", o.report,
               "Print what the journal knows (with --json: every file and transition) and exit")
      ->group(batch);
  app.add_flag("--wait", o.wait,
               "After uploading, poll MAVI until every uploaded video is done or failed")
      ->group(batch);
  add_duration_option(app, "--wait-timeout", o.wait_timeout_seconds,
                      "How long --wait polls at most (30s, 2m, 1h)", 1.0, 7.0 * 24 * 3600)
      ->group(batch);
  add_duration_option(app, "--outage-timeout", o.outage_timeout_seconds,
                      "How long uploads wait for MAVI to answer again during an outage before "
                      "the batch stops (exit 69); preparing goes on meanwhile (2h)",
                      1.0, 30.0 * 24 * 3600)
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
  const std::string clean_up = "Clean-up (instead of a batch; no PATH)";
  app.add_flag("--delete-duplicates", o.delete_duplicates,
               "Delete at MAVI the extra copies the journal knows of (uploads --force replaced) "
               "for this --base-url and --api, keeping each file's current video")
      ->group(clean_up);
  app.add_option("--delete", o.delete_video_nos,
                 "Delete these videos at MAVI; only videoNos this journal recorded as uploaded "
                 "to this --base-url are sent, any other is refused")
      ->type_name("VIDEO_NO...")
      ->group(clean_up);
  add_upload_options(app, o.upload);
}

std::string usage_problem(const CLI::App& app, const PrepareCliOptions& o) {
  if (o.cleaning_up()) {
    if (o.delete_duplicates && !o.delete_video_nos.empty())
      return "--delete-duplicates and --delete are exclusive";
    if (!o.paths.empty())
      return "--delete-duplicates and --delete take no PATH";
    if (o.no_journal)
      return "--delete-duplicates and --delete need the journal (not --no-journal)";
    if (o.json_lines)
      return "--delete-duplicates and --delete report with --json, not --json-lines";
    return check_generation_options(app, o.upload);
  }
  if (o.paths.empty())
    return "no PATH given";
  if (o.json && o.json_lines)
    return "--json and --json-lines are exclusive";
  if (o.output_dir.empty() && o.no_upload && !o.dry_run)
    return "--no-upload needs -o DIR (where prepared files go)";
  if (o.copy_ok && !o.no_upload && !o.dry_run)
    return "--copy-ok goes with --no-upload (acceptable files are uploaded as they are)";
  if (!o.journal.empty() && o.no_journal)
    return "--journal and --no-journal are exclusive";
  return check_generation_options(app, o.upload);
}

BatchOptions batch_options(const PrepareCliOptions& o) {
  BatchOptions batch;
  batch.rules = o.rules;
  apply_rule_set(batch.rules, o.upload.api);  // what this generation's MAVI takes
  batch.prepare = o.prepare;
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
  batch.outage_timeout = std::chrono::seconds(static_cast<long long>(o.outage_timeout_seconds));
  batch.upload_options = make_upload_options(o.upload);
  return batch;
}

}  // namespace mavi::cli

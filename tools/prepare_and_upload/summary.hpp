// The end of a mavi-prepare-and-upload run: counts by outcome, the summary line for people, the
// "summary" object of the JSON report, and whether the run did everything it was asked.
#pragma once

#include <cstddef>
#include <string>

#include "cli/exit_codes.hpp"
#include "cli/json.hpp"
#include "mavi/batch.hpp"

namespace mavi::cli {

struct RunMode {
  bool uploading = true;  // not --no-upload (with --dry-run: a real run would upload)
  bool dry_run = false;
  bool waited = false;  // --wait while uploading
};

struct BatchCounts {
  std::size_t files = 0;  // everything the run was given, unusable named paths included
  std::size_t uploaded = 0, uploaded_earlier = 0, duplicates = 0, prepared = 0, ok = 0, copied = 0,
              planned = 0, rejected = 0, failed = 0, cancelled = 0, not_started = 0;
  std::size_t unusable_paths = 0;  // named PATHs that do not exist or cannot be listed
  std::size_t parsed = 0, processing_failed = 0;  // --wait: MAVI's final statuses
};

// `unusable_paths`: discovery's error notes (each counts as a failed file).
BatchCounts count(const BatchResult& result, std::size_t unusable_paths);

// "12 files: 10 uploaded, 1 rejected, 1 failed" and the like, with what --wait learnt, the
// shards and an interruption; one line.
std::string summary_text(const BatchCounts& counts, const BatchResult& result, RunMode mode);

Json summary_json(const BatchCounts& counts, const BatchResult& result, RunMode mode);

// True when every file got what the run was for (exit status 0).
bool all_done(const BatchCounts& counts, const BatchResult& result, RunMode mode);

// The run's exit status once its results are written: what stopped the batch (MAVI unavailable,
// the journal lost, the account refused), else ok when all_done, else failed.
ExitCode exit_code(const BatchCounts& counts, const BatchResult& result, RunMode mode);

// The one message for what stopped a whole batch (result.fatal_error): the cause in words and
// what to do, then the error.
std::string why_stopped(const Error& error);

}  // namespace mavi::cli

// mavi-prepare-and-upload's command line: the options, the checks that need more than one of
// them, and the library's BatchOptions they make.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mavi/batch.hpp"
#include "prepare_and_upload/upload_options.hpp"

namespace mavi::cli {

struct PrepareCliOptions {
  std::vector<std::string> paths;
  std::string output_dir;
  bool no_upload = false;
  bool dry_run = false;
  bool copy_ok = false;
  bool json = false;
  bool json_lines = false;
  bool quiet = false;
  PrepareOptions prepare;
  int max_height = 0;  // 0: no limit
  Rules rules;
  UploadCliOptions upload;
  // batches
  unsigned jobs = 0;
  unsigned upload_concurrency = 1;
  std::string work_dir;
  bool keep_prepared = false;
  std::uintmax_t max_work_bytes = 10'000'000'000;  // 10 GB
  std::string journal;
  bool no_journal = false;
  double wait_for_journal_seconds = 0;  // another run holds the journal: wait this long
  bool force = false;
  bool report = false;
  bool wait = false;
  double wait_timeout_seconds = 1800;
  double outage_timeout_seconds = 7200;
  std::pair<unsigned, unsigned> shard{0, 1};
  // clean-up (instead of a batch)
  bool delete_duplicates = false;
  std::vector<std::string> delete_video_nos;

  bool uploading() const { return !no_upload && !dry_run; }
  bool cleaning_up() const { return delete_duplicates || !delete_video_nos.empty(); }
};

// Registers every option on `app`.
void add_options(CLI::App& app, PrepareCliOptions& options);

// What is wrong with a parsed command line that no single option can say ("--copy-ok goes
// with --no-upload"), or "" when nothing is.
std::string usage_problem(const CLI::App& app, const PrepareCliOptions& options);

// The batch the options describe (everything but the observers and the cancel token).
BatchOptions batch_options(const PrepareCliOptions& options);

}  // namespace mavi::cli

// The JSON report of a mavi-prepare-and-upload run (--json): one document on stdout at the end,
// made of the entries of cli/batch_json.hpp and the summary of prepare_and_upload/summary.hpp.
#pragma once

#include "cli/json.hpp"
#include "mavi/batch.hpp"
#include "mavi/discover.hpp"
#include "mavi/journal.hpp"
#include "prepare_and_upload/options.hpp"
#include "prepare_and_upload/summary.hpp"

namespace mavi::cli {

// {"tool","version","dry_run","output_dir","journal","shard","files":[...],"summary":{...}}:
// the run's settings, every unusable named path (as a failed entry), then every file of this
// shard in input order, and the summary. `journal` is null when the run kept none.
Json report_json(const PrepareCliOptions& options, const Journal* journal, const Discovery& found,
                 const BatchResult& result, const BatchCounts& counts, RunMode mode);

}  // namespace mavi::cli

// How mavi-prepare-and-upload reports a file: the JSON report entry, the human line, and the
// --json-lines event objects.
#pragma once

#include <string>

#include "cli/json.hpp"
#include "cli/output.hpp"
#include "mavi/batch.hpp"
#include "prepare_and_upload/summary.hpp"

namespace mavi::cli {

// {"path","fingerprint","verdict","action","output","status","upload","error",...}
cli::Json outcome_json(const FileOutcome& outcome);

// "uploaded  PATH -> OUTPUT  VI123 UNPARSE 2.3 s" and the like. For a dry run, mode.uploading
// says whether the real run would upload.
std::string outcome_line(const FileOutcome& outcome, RunMode mode);

// One --json-lines object: {"event","time","path",...} with what the event adds.
cli::Json event_json(const BatchEvent& event);

}  // namespace mavi::cli

// How mavi-prepare-and-upload reports a file for a person (the JSON is cli/batch_json.hpp).
#pragma once

#include <string>

#include "cli/batch_json.hpp"
#include "cli/json.hpp"
#include "cli/output.hpp"
#include "mavi/batch.hpp"
#include "prepare_and_upload/summary.hpp"

namespace mavi::cli {

// "uploaded  PATH -> OUTPUT  VI123 UNPARSE 2.3 s" and the like. For a dry run, mode.uploading
// says whether the real run would upload.
std::string outcome_line(const FileOutcome& outcome, RunMode mode);

// Every line of `text` indented by four spaces, each ending in a newline (a dry run's plan under
// its file's line).
std::string indented(const std::string& text);

}  // namespace mavi::cli

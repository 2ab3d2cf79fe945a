// JSON for a batch's files and events: the report entries and --json-lines objects of
// mavi-prepare-and-upload, and the dicts mavi_prep.run_batch hands to Python.
#pragma once

#include "cli/json.hpp"
#include "mavi/batch.hpp"

namespace mavi::cli {

// {"path","fingerprint","verdict","action","output","status","upload","error",...}
Json outcome_json(const FileOutcome& outcome);

// Why MAVI's processing of `video` failed, in words: "MAVI could not process the video
// (PARSE_ERROR: <cause>)".
std::string processing_failure_text(const VideoRecord& video);

// One --json-lines object: {"event","time","path",...} with what the event adds.
Json event_json(const BatchEvent& event);

}  // namespace mavi::cli

// JSON for a batch's files, events and MAVI's availability (mavi/batch.hpp): the report
// entries and --json-lines objects of mavi-prepare-and-upload, and the dicts mavi_prep.run_batch
// hands to Python. The one place that says how these types look in any output; the words for
// people are in prepare_and_upload/ (file_report, outage_text).
#pragma once

#include "cli/json.hpp"
#include "mavi/batch.hpp"

namespace mavi::cli {

// {"path","fingerprint","verdict","action","output","status","upload","error",...}
Json outcome_json(const FileOutcome& outcome);

// A named PATH discovery could not use (an error note), as a report entry shaped like a failed
// file: {"path","verdict":null,"action":"none","output":null,"status":"failed","upload":null,
// "error"}.
Json unusable_path_json(const DiscoverNote& note);

// An earlier run's unconfirmed upload looked up at MAVI: {"path","videoNo","error"}, null
// where not known.
Json interrupted_upload_json(const InterruptedUpload& upload);

// Why MAVI's processing of `video` failed, in words: "MAVI could not process the video
// (PARSE_ERROR: <cause>)".
std::string processing_failure_text(const VideoRecord& video);

// One --json-lines object: {"event","time_ms","path",...} with what the event adds. The
// events "skipped" and "failed" say that a file ends here; its "status" says how.
Json event_json(const BatchEvent& event);

// {"from_ms", "to_ms", "seconds", "ended", "reason"}; `ended` false: the run stopped during it.
Json outage_json(const Outage& outage, bool ended);
// A --json-lines event: {"event": "service_unavailable", "time_ms", "since_ms", "reason",
// "next_probe_ms"} ("seconds" instead of "next_probe_ms" once restored), or for rate_limited
// {"event", "time_ms", "uploads_per_minute", "next_upload_ms", "uploads_left", "eta_seconds",
// "rate_limited_answers"}.
Json service_event_json(const ServiceEvent& event);

}  // namespace mavi::cli

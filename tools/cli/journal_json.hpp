// JSON for what a journal keeps (mavi/journal.hpp): the entries of mavi-prepare-and-upload's
// --report --json. The one place that says how a journal record, its transitions and its
// outages look in any output; the table for people is prepare_and_upload/journal_report.
#pragma once

#include <vector>

#include "cli/json.hpp"
#include "mavi/journal.hpp"

namespace mavi::cli {

// {"id","path","fingerprint","base_url","verdict","action","state","upload":{MAVI's fields,
// "http_status","code"},"error","upload_attempts","upload_started_ms","created_ms","updated_ms",
// "events":[{"at_ms","from","to","detail"}, ...]}: `events` are the record's transitions.
Json record_json(const JournalRecord& record, const std::vector<JournalEvent>& events);

// An outage as batch_json's outage_json writes it, plus "base_url".
Json journal_outage_json(const JournalOutage& outage);

}  // namespace mavi::cli

#include "prepare_and_upload/journal_report.hpp"

#include <map>
#include <ostream>
#include <string>

#include "cli/json.hpp"
#include "cli/output.hpp"
#include "mavi/version.hpp"
#include "prepare_and_upload/outage_text.hpp"

namespace mavi::cli {

namespace {

using cli::Json;

long long epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Json record_json(Journal& journal, const JournalRecord& r) {
  Json j;
  j["id"] = r.id;
  j["path"] = r.path.string();
  j["fingerprint"] = r.fingerprint;
  j["base_url"] = r.base_url;
  j["verdict"] = r.verdict ? Json(std::string(to_string(*r.verdict))) : Json(nullptr);
  j["action"] = std::string(to_string(r.action));
  j["state"] = std::string(to_string(r.state));
  j["upload"] = r.video;
  j["upload"]["http_status"] = r.http_status;
  j["upload"]["code"] = r.code;
  j["error"] = r.error.empty() ? Json(nullptr) : Json(r.error);
  j["upload_attempts"] = r.upload_attempts;
  j["upload_started_ms"] = r.upload_started ? Json(epoch_ms(*r.upload_started)) : Json(nullptr);
  j["created_ms"] = epoch_ms(r.created);
  j["updated_ms"] = epoch_ms(r.updated);
  Json events = Json::array();
  for (const auto& e : journal.events(r.id)) {
    events.push_back({{"at_ms", epoch_ms(e.at)},
                      {"from", e.from_state},
                      {"to", e.to_state},
                      {"detail", e.detail}});
  }
  j["events"] = events;
  return j;
}

}  // namespace

void print_journal(Journal& journal, bool json, std::ostream& out) {
  const std::vector<JournalRecord> records = journal.records();
  std::map<std::string, std::size_t> by_state;
  for (const auto& r : records)
    ++by_state[std::string(to_string(r.state))];
  if (json) {
    Json doc;
    doc["tool"] = "mavi-prepare-and-upload";
    doc["version"] = std::string(version());
    doc["journal"] = journal.path().string();
    Json files = Json::array();
    for (const auto& r : records)
      files.push_back(record_json(journal, r));
    doc["files"] = files;
    Json outages = Json::array();
    for (const auto& o : journal.outages()) {
      Json j = outage_json(Outage{o.from, o.to, o.reason}, o.ended);
      j["base_url"] = o.base_url;
      outages.push_back(j);
    }
    doc["outages"] = outages;
    Json summary = Json::object();
    summary["files"] = records.size();
    for (const auto& [state, count] : by_state)
      summary[state] = count;
    doc["summary"] = summary;
    out << cli::dump(doc) << "\n";
    return;
  }
  for (const auto& r : records) {
    std::string state(to_string(r.state));
    state.resize(std::max<std::size_t>(state.size(), 10), ' ');
    std::string video = r.video.video_no.empty() ? "-" : r.video.video_no;
    if (!r.video.video_status.empty())
      video += " " + r.video.video_status;
    if (!r.video.cause.empty())
      video += " (" + r.video.cause + ")";
    out << state << " " << cli::printable(video) << "  " << cli::printable(r.path.string());
    if (!r.error.empty())
      out << ": " << cli::printable(r.error);
    out << "\n";
  }
  for (const auto& o : journal.outages())
    out << outage_line(Outage{o.from, o.to, o.reason}, o.ended) << " (" << printable(o.base_url)
        << ")\n";
  out << records.size() << " files in " << cli::printable(journal.path().string());
  for (const auto& [state, count] : by_state)
    out << ", " << count << " " << state;
  out << "\n";
}

}  // namespace mavi::cli

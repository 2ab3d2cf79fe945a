#include "cli/journal_json.hpp"

#include <string>

#include "cli/batch_json.hpp"

namespace mavi::cli {

Json record_json(const JournalRecord& r, const std::vector<JournalEvent>& transitions) {
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
  for (const auto& e : transitions) {
    events.push_back({{"at_ms", epoch_ms(e.at)},
                      {"from", e.from_state},
                      {"to", e.to_state},
                      {"detail", e.detail}});
  }
  j["events"] = events;
  return j;
}

Json journal_outage_json(const JournalOutage& o) {
  Json j = outage_json(Outage{o.from, o.to, o.reason}, o.ended);
  j["base_url"] = o.base_url;
  return j;
}

}  // namespace mavi::cli

#include "prepare_and_upload/report.hpp"

#include <string>

#include "cli/batch_json.hpp"
#include "mavi/version.hpp"

namespace mavi::cli {

Json report_json(const PrepareCliOptions& o, const Journal* journal, const Discovery& found,
                 const BatchResult& result, const BatchCounts& counts, RunMode mode) {
  Json doc;
  doc["tool"] = "mavi-prepare-and-upload";
  doc["version"] = std::string(version());
  doc["dry_run"] = o.dry_run;
  doc["output_dir"] = o.output_dir.empty() ? Json(nullptr) : Json(o.output_dir);
  doc["journal"] = journal ? Json(journal->path().string()) : Json(nullptr);
  doc["shard"] = std::to_string(o.shard.first) + "/" + std::to_string(o.shard.second);
  Json entries = Json::array();
  for (const auto& note : found.notes) {
    if (note.is_error)
      entries.push_back(unusable_path_json(note));
  }
  for (const auto& f : result.files)
    entries.push_back(outcome_json(f));
  doc["files"] = entries;
  doc["summary"] = summary_json(counts, result, mode);
  return doc;
}

}  // namespace mavi::cli

#include "prepare_and_upload/journal_report.hpp"

#include <iostream>
#include <map>
#include <ostream>
#include <string>

#include "cli/exit_codes.hpp"
#include "cli/journal_json.hpp"
#include "cli/json.hpp"
#include "cli/output.hpp"
#include "mavi/version.hpp"
#include "prepare_and_upload/outage_text.hpp"

namespace mavi::cli {

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
      files.push_back(record_json(r, journal.events(r.id)));
    doc["files"] = files;
    Json outages = Json::array();
    for (const auto& o : journal.outages())
      outages.push_back(journal_outage_json(o));
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

int run_report(const std::filesystem::path& path, bool json, std::string_view program) {
  const auto fail_with = [&](const std::string& message) {
    std::cerr << program << ": " << message << "\n";
    return to_int(ExitCode::failed);
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return fail_with("no journal at " + printable(path.string()));
  try {
    JournalOptions read_only;
    read_only.read_only = true;  // a report may be read while a batch runs
    Journal journal(path, read_only);
    print_journal(journal, json, std::cout);
  } catch (const Error& e) {
    return fail_with(e.what());
  }
  return flush_results(program) ? to_int(ExitCode::ok) : to_int(ExitCode::internal);
}

}  // namespace mavi::cli

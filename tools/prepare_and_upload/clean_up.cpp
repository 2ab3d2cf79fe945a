#include "prepare_and_upload/clean_up.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/json.hpp"
#include "cli/output.hpp"
#include "mavi/error.hpp"
#include "mavi/journal.hpp"
#include "mavi/upload.hpp"
#include "mavi/version.hpp"

namespace mavi::cli {

namespace {

// One video the run is about, and what became of it.
struct Target {
  std::string video_no;
  std::filesystem::path path;  // the file it is a copy of ("" when refused unknown)
  std::int64_t file_id = 0;
  bool kept = false;  // the record's current video: deleting it resets the record
  enum class Status { pending, deleted, would_delete, failed, refused } status = Status::pending;
  std::string error;
};

std::string_view status_word(Target::Status status) {
  switch (status) {
    case Target::Status::deleted:
      return "deleted";
    case Target::Status::would_delete:
      return "would_delete";
    case Target::Status::failed:
      return "failed";
    case Target::Status::refused:
      return "refused";
    case Target::Status::pending:
      break;
  }
  return "pending";
}

// --delete-duplicates: every copy but the kept one, not deleted yet.
std::vector<Target> duplicates(const std::vector<JournalCopies>& records) {
  std::vector<Target> targets;
  for (const auto& record : records) {
    for (const auto& copy : record.copies) {
      if (copy.kept || copy.deleted)
        continue;
      Target target;
      target.video_no = copy.video_no;
      target.path = record.path;
      target.file_id = record.file_id;
      targets.push_back(std::move(target));
    }
  }
  return targets;
}

// --delete: the ids named, each once; one this journal did not upload to this base URL is
// refused, so a typo cannot delete someone else's video.
std::vector<Target> named(const std::vector<std::string>& video_nos,
                          const std::vector<JournalCopies>& records, const std::string& base_url) {
  std::vector<Target> targets;
  std::set<std::string> seen;
  for (const auto& id : video_nos) {
    if (!seen.insert(id).second)
      continue;
    Target target;
    target.video_no = id;
    target.status = Target::Status::refused;
    target.error = "not uploaded to " + base_url + " as far as this journal knows; not sent";
    for (const auto& record : records) {
      for (const auto& copy : record.copies) {
        if (copy.video_no != id)
          continue;
        target.path = record.path;
        target.file_id = record.file_id;
        target.kept = record.video_no == id;
        if (copy.deleted) {
          target.error = "already deleted (the journal recorded it); not sent";
        } else {
          target.status = Target::Status::pending;
          target.error.clear();
        }
      }
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

Json report(const std::vector<Target>& targets, const PrepareCliOptions& o,
            const std::string& base_url, const Journal& journal, std::string_view program) {
  Json doc;
  doc["tool"] = std::string(program);
  doc["version"] = std::string(version());
  doc["action"] = o.delete_duplicates ? "delete-duplicates" : "delete";
  doc["dry_run"] = o.dry_run;
  doc["base_url"] = base_url;
  doc["api"] = o.upload.api;
  doc["journal"] = journal.path().string();
  Json videos = Json::array();
  Json summary{{"deleted", 0}, {"would_delete", 0}, {"failed", 0}, {"refused", 0}};
  for (const auto& t : targets) {
    Json entry{{"videoNo", t.video_no},
               {"path", t.path.empty() ? Json(nullptr) : Json(t.path.string())},
               {"kept_copy", t.kept},
               {"status", std::string(status_word(t.status))}};
    entry["error"] = t.error.empty() ? Json(nullptr) : Json(t.error);
    videos.push_back(std::move(entry));
    auto& count = summary[std::string(status_word(t.status))];
    count = count.get<int>() + 1;
  }
  doc["videos"] = std::move(videos);
  doc["summary"] = std::move(summary);
  return doc;
}

std::string text_line(const Target& t) {
  std::string line = std::string(status_word(t.status));
  std::replace(line.begin(), line.end(), '_', ' ');
  line += "  " + printable(t.video_no);
  if (!t.path.empty())
    line += "  " + printable(t.path.string());
  if (t.kept)
    line += "  (its file's current video: the record goes back to pending)";
  if (!t.error.empty())
    line += ": " + t.error;
  return line + "\n";
}

}  // namespace

int run_clean_up(const PrepareCliOptions& o, const std::filesystem::path& journal_path,
                 std::string_view program) {
  auto fail_with = [&](const std::string& message, ExitCode code) {
    std::cerr << program << ": " << message << "\n";
    return to_int(code);
  };
  // The client also gives the base URL exactly as the batch recorded it in the journal.
  std::optional<Client> client;
  try {
    client.emplace(make_client_config(o.upload, std::cerr, std::cerr));
  } catch (const Error& e) {
    return fail_with(e.what(), ExitCode::usage);
  }
  const std::string base_url = client->config().base_url;

  std::error_code ec;
  if (!std::filesystem::exists(journal_path, ec)) {
    return fail_with(
        "no journal at " + printable(journal_path.string()) + ": it knows of no uploads to delete",
        ExitCode::failed);
  }
  std::optional<Journal> journal;
  try {
    JournalOptions options;
    options.read_only = o.dry_run;  // a dry run writes nothing, and may run beside a batch
    options.wait_for_lock =
        std::chrono::milliseconds(static_cast<long long>(o.wait_for_journal_seconds * 1000));
    options.cancel = interrupt_token();
    journal.emplace(journal_path, options);
  } catch (const Error& e) {
    return fail_with(e.what(),
                     e.kind() == Errc::journal_locked ? ExitCode::journal_busy : ExitCode::failed);
  }

  std::vector<Target> targets;
  try {
    const std::vector<JournalCopies> records = journal->uploaded_copies(base_url);
    targets =
        o.delete_duplicates ? duplicates(records) : named(o.delete_video_nos, records, base_url);
  } catch (const Error& e) {
    return fail_with(e.what(), ExitCode::failed);
  }

  std::vector<std::string> to_send;
  for (auto& t : targets) {
    if (t.status != Target::Status::pending)
      continue;
    if (o.dry_run)
      t.status = Target::Status::would_delete;
    else
      to_send.push_back(t.video_no);
  }
  if (!to_send.empty()) {
    const std::vector<DeleteOutcome> outcomes = client->delete_videos(to_send, o.upload.unique_id);
    try {
      for (const auto& outcome : outcomes) {
        auto t = std::find_if(targets.begin(), targets.end(),
                              [&](const Target& x) { return x.video_no == outcome.video_no; });
        if (!outcome.deleted) {
          t->status = Target::Status::failed;
          t->error = outcome.error;
          continue;
        }
        t->status = Target::Status::deleted;
        journal->record_deleted(base_url, t->video_no);
        // Its content is no longer at MAVI: the next run uploads it again instead of
        // reporting it uploaded.
        if (t->kept)
          journal->reset(t->file_id, "deleted at MAVI");
      }
    } catch (const Error& e) {
      return fail_with("the journal stopped working: " + std::string(e.what()) +
                           " (deletions after this one are not recorded)",
                       ExitCode::journal_lost);
    }
  }

  bool all_done = true;
  for (const auto& t : targets) {
    all_done = all_done &&
               (t.status == Target::Status::deleted || t.status == Target::Status::would_delete);
  }
  if (o.json) {
    std::cout << dump(report(targets, o, base_url, *journal, program)) << "\n";
  } else if (!o.quiet || !all_done) {
    for (const auto& t : targets) {
      if (!o.quiet || t.status == Target::Status::failed || t.status == Target::Status::refused)
        std::cout << text_line(t);
    }
    if (targets.empty() && !o.quiet)
      std::cout << "nothing to delete at " << base_url << "\n";
  }
  if (!flush_results(program))
    return to_int(ExitCode::internal);
  return to_int(all_done ? ExitCode::ok : ExitCode::failed);
}

}  // namespace mavi::cli

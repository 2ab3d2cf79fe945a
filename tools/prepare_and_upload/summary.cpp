#include "prepare_and_upload/summary.hpp"

#include <vector>

#include "cli/batch_json.hpp"
#include "cli/output.hpp"
#include "prepare_and_upload/outage_text.hpp"

namespace mavi::cli {

namespace {

std::string counted(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

ProcessingState processing_of(const FileOutcome& f) {
  return processing_state(f.upload->video.video_status);
}

bool processing_failed(const FileOutcome& f) {
  return f.upload && processing_of(f) == ProcessingState::failed;
}

bool processing_of_unknown(const FileOutcome& f) {
  return f.upload && !f.upload->video.video_no.empty() &&
         processing_of(f) == ProcessingState::unknown;
}

bool waiting_for_mavi(const FileOutcome& f) {
  return f.upload && !f.upload->video.video_no.empty() && !is_final(processing_of(f));
}

// Every outage ended but the last one of a batch the outage timeout stopped.
bool outage_ended(const BatchResult& result, std::size_t i) {
  const bool last = i + 1 == result.outages.size();
  return !(last && result.fatal_error && result.fatal_error->kind() == Errc::service_unavailable);
}

}  // namespace

BatchCounts count(const BatchResult& result, std::size_t unusable_paths) {
  BatchCounts c;
  c.unusable_paths = unusable_paths;
  c.failed = unusable_paths;
  c.not_started = result.not_started;
  for (const auto& f : result.files) {
    switch (f.status) {
      case FileStatus::uploaded:
        ++c.uploaded;
        break;
      case FileStatus::uploaded_earlier:
        ++c.uploaded_earlier;
        break;
      case FileStatus::duplicate:
        ++c.duplicates;
        break;
      case FileStatus::prepared:
        ++c.prepared;
        break;
      case FileStatus::ok:
        ++c.ok;
        break;
      case FileStatus::copied:
        ++c.copied;
        break;
      case FileStatus::planned:
        ++c.planned;
        break;
      case FileStatus::rejected:
        ++c.rejected;
        break;
      case FileStatus::failed:
        ++c.failed;
        break;
      case FileStatus::cancelled:
        ++c.cancelled;
        break;
    }
    if (processing_failed(f))
      ++c.processing_failed;
    else if (f.upload && processing_of(f) == ProcessingState::ready)
      ++c.parsed;
  }
  c.files = result.files.size() + c.not_started + c.unusable_paths;
  return c;
}

std::string summary_text(const BatchCounts& c, const BatchResult& result, RunMode mode) {
  std::vector<std::string> parts;
  const auto add = [&](std::size_t n, const std::string& what, bool always = false) {
    if (n != 0 || always)
      parts.push_back(std::to_string(n) + " " + what);
  };
  if (mode.dry_run) {
    add(c.planned, "to prepare", true);
    add(c.ok, mode.uploading ? "to upload as they are" : "acceptable as they are", true);
  } else if (mode.uploading) {
    add(c.uploaded, "uploaded", true);
    add(c.uploaded_earlier, "uploaded earlier");
    add(c.duplicates, c.duplicates == 1 ? "copy of another file" : "copies of other files");
  } else {
    add(c.prepared, "prepared", true);
    add(c.ok, "acceptable as they are");
    add(c.copied, "copied");
  }
  add(c.rejected, "rejected");
  add(c.failed, "failed", !mode.dry_run);
  add(c.cancelled, "cancelled");
  add(c.not_started, "not started");
  std::string text = counted(c.files, "file", "files") + ":";
  for (std::size_t i = 0; i < parts.size(); ++i)
    text += (i == 0 ? " " : ", ") + parts[i];
  if (mode.waited) {
    text += "; MAVI: " + std::to_string(c.parsed) + " processed, " +
            std::to_string(c.processing_failed) + " failed";
    if (result.wait_timed_out) {
      std::string names;
      for (const auto& f : result.files) {
        if (waiting_for_mavi(f))
          names += (names.empty() ? "" : ", ") + printable(f.path.string());
      }
      text += "; still processing when --wait gave up: " + names;
    }
    for (const auto& f : result.files) {
      if (processing_of_unknown(f)) {
        text += "; " + printable(f.path.string()) + ": status " +
                printable(f.upload->video.video_status) + " is not one MAVI documents";
      }
    }
  }
  if (result.outside_shard != 0)
    text += "; " + counted(result.outside_shard, "file", "files") + " left to other shards";
  if (result.fatal_error)
    text = "stopped: " + text;
  else if (result.stopped)
    text = "interrupted: " + text;
  text += "\n";
  for (const auto& u : result.interrupted_uploads) {
    text += "interrupted earlier upload of " + printable(u.path.string()) +
            " (its input changed or vanished since): " +
            (u.video ? "found at MAVI as " + printable(u.video->video_no) + ", now on record"
                     : printable(u.error)) +
            "\n";
  }
  for (std::size_t i = 0; i < result.outages.size(); ++i)
    text += outage_line(result.outages[i], outage_ended(result, i)) + "\n";
  if (result.rate_limited_answers > 0) {
    text += "MAVI answered \"rate limited\" " +
            counted(result.rate_limited_answers, "time", "times") +
            ": uploads slowed down, no file failed for it\n";
  }
  return text;
}

Json summary_json(const BatchCounts& c, const BatchResult& result, RunMode mode) {
  Json s = {{"files", c.files},
            {"uploaded", c.uploaded},
            {"uploaded_earlier", c.uploaded_earlier},
            {"duplicates", c.duplicates},
            {"prepared", c.prepared},
            {"ok", c.ok},
            {"copied", c.copied},
            {"planned", c.planned},
            {"rejected", c.rejected},
            {"failed", c.failed},
            {"cancelled", c.cancelled},
            {"not_started", c.not_started},
            // Earlier names, kept for pipelines that read them.
            {"skipped", c.rejected + c.uploaded_earlier + c.duplicates},
            {"already_uploaded", c.uploaded_earlier},
            {"outside_shard", result.outside_shard}};
  if (mode.waited) {
    s["parsed"] = c.parsed;
    s["processing_failed"] = c.processing_failed;
    s["wait_timed_out"] = result.wait_timed_out;
  }
  s["interrupted"] = result.stopped;
  Json outages = Json::array();
  for (std::size_t i = 0; i < result.outages.size(); ++i)
    outages.push_back(outage_json(result.outages[i], outage_ended(result, i)));
  s["outages"] = outages;
  s["rate_limited_answers"] = result.rate_limited_answers;
  Json interrupted = Json::array();
  for (const auto& u : result.interrupted_uploads)
    interrupted.push_back(interrupted_upload_json(u));
  s["interrupted_uploads"] = interrupted;
  return s;
}

bool all_done(const BatchCounts& c, const BatchResult& result, RunMode mode) {
  return !result.fatal_error && c.failed == 0 && c.rejected == 0 && c.cancelled == 0 &&
         c.not_started == 0 && !result.wait_timed_out && (!mode.waited || c.processing_failed == 0);
}

ExitCode exit_code(const BatchCounts& c, const BatchResult& result, RunMode mode) {
  if (result.fatal_error) {
    const Errc kind = result.fatal_error->kind();
    if (kind == Errc::service_unavailable)
      return ExitCode::unavailable;
    return kind == Errc::journal || kind == Errc::journal_locked ? ExitCode::journal_lost
                                                                 : ExitCode::account_refused;
  }
  return all_done(c, result, mode) ? ExitCode::ok : ExitCode::failed;
}

std::string why_stopped(const Error& error) {
  std::string cause;
  switch (error.kind()) {
    case Errc::bad_auth:
      cause = "MAVI refused the API key; fix the key and run the same command again";
      break;
    case Errc::no_credits:
      cause = "the MAVI account has no credits left; recharge it and run the same command again";
      break;
    case Errc::account_disabled:
      cause = "the MAVI account is disabled";
      break;
    case Errc::permission:
      cause = "MAVI does not let this account upload (permission denied)";
      break;
    default:
      return error.what();
  }
  return cause + ": " + error.what();
}

}  // namespace mavi::cli

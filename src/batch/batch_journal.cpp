#include "batch/batch_journal.hpp"

namespace mavi::detail::batch {

bool refuses_the_account(Errc kind) noexcept {
  switch (kind) {
    case Errc::bad_auth:
    case Errc::no_credits:
    case Errc::account_disabled:
    case Errc::permission:
      return true;
    default:
      return false;
  }
}

bool never_delivered(Errc kind) noexcept {
  switch (kind) {
    case Errc::invalid_argument:
    case Errc::bad_request:
    case Errc::rate_limited:
    case Errc::not_found:
    case Errc::permission_denied:
      return true;
    default:
      return refuses_the_account(kind);
  }
}

std::optional<JournalRecord> BatchJournal::open(const Fingerprint& fingerprint,
                                                const std::filesystem::path& path,
                                                std::string_view base_url) {
  if (!journal_)
    return std::nullopt;
  return journal_->open_record(fingerprint, path, base_url);
}

std::vector<JournalRecord> BatchJournal::records() {
  return journal_ ? journal_->records() : std::vector<JournalRecord>{};
}

void BatchJournal::verdict(const FileOutcome& file, VerdictKind verdict, Action action) {
  if (has(file))
    journal_->record_verdict(file.journal_id, verdict, action);
}

void BatchJournal::transition(const FileOutcome& file, FileState to, std::string_view detail) {
  if (has(file))
    journal_->transition(file.journal_id, to, detail);
}

void BatchJournal::upload_started(const FileOutcome& file,
                                  std::optional<std::uint64_t> size_bytes) {
  if (has(file))
    journal_->record_upload_started(file.journal_id, file.path, size_bytes);
}

void BatchJournal::asset_reserved(const FileOutcome& file, const std::string& asset_id) noexcept {
  if (!has(file))
    return;
  try {
    journal_->record_asset_reserved(file.journal_id, asset_id);
  } catch (...) {
    // A journal that stopped working shows on the upload's own record, right after.
  }
}

void BatchJournal::uploaded(const FileOutcome& file, const VideoRecord& video, int http_status,
                            std::string_view code) {
  if (has(file))
    journal_->record_uploaded(file.journal_id, video, http_status, code);
}

void BatchJournal::video_status(const FileOutcome& file, const VideoRecord& video) {
  if (has(file))
    journal_->record_video_status(file.journal_id, video.video_status, video.cause);
}

void BatchJournal::skipped(const FileOutcome& file, std::string_view reason) {
  if (has(file))
    journal_->record_skipped(file.journal_id, reason);
}

void BatchJournal::reset(const FileOutcome& file, std::string_view reason) {
  if (has(file))
    journal_->reset(file.journal_id, reason);
}

void BatchJournal::failed(const FileOutcome& file, Errc kind, std::string_view message) noexcept {
  if (!has(file) || kind == Errc::cancelled)
    return;
  try {
    if (refuses_the_account(kind))
      journal_->reset(file.journal_id, "not sent: " + std::string(message));
    else if (never_delivered(kind))
      journal_->record_upload_refused(file.journal_id, message);
    else
      journal_->record_failure(file.journal_id, message);
  } catch (...) {
    // Reported by the file's own error; a journal that stopped working shows on the next call.
  }
}

std::int64_t BatchJournal::outage_started(std::string_view base_url,
                                          const Outage& outage) noexcept {
  if (!journal_)
    return 0;
  try {
    return journal_->record_outage_start(base_url, outage.from, outage.reason);
  } catch (...) {
    return 0;
  }
}

void BatchJournal::outage_seen(std::int64_t id, const Outage& outage, bool ended) noexcept {
  if (!journal_ || id == 0)
    return;
  try {
    journal_->record_outage_update(id, outage.to, ended);
  } catch (...) {
  }
}

}  // namespace mavi::detail::batch

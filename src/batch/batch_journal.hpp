// BatchJournal: the batch's view of its journal. Every call is keyed by the file's outcome
// and does nothing when the batch keeps no journal or the file has no record (it could not
// be fingerprinted), so the stages carry no "is there a journal" checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "mavi/batch.hpp"
#include "mavi/journal.hpp"

namespace mavi::detail::batch {

class BatchJournal {
 public:
  explicit BatchJournal(Journal* journal) : journal_(journal) {}

  bool enabled() const noexcept { return journal_ != nullptr; }

  // The record for this content (created when new); nothing without a journal.
  std::optional<JournalRecord> open(const Fingerprint& fingerprint,
                                    const std::filesystem::path& path, std::string_view base_url);
  // Every record's videoNo and id (the videos the journal already attributes to a file).
  std::vector<JournalRecord> records();

  void verdict(const FileOutcome& file, VerdictKind verdict, Action action);
  void transition(const FileOutcome& file, FileState to, std::string_view detail);
  void upload_started(const FileOutcome& file);  // committed before any byte is sent
  void uploaded(const FileOutcome& file, const VideoRecord& video, int http_status,
                std::string_view code);
  void video_status(const FileOutcome& file, std::string_view status);
  void skipped(const FileOutcome& file, std::string_view reason);
  void reset(const FileOutcome& file, std::string_view reason);
  // A failed file. Never throws: the journal failing must not hide the file's own error. An
  // upload that certainly never reached MAVI (`never_delivered`) needs no lookup next time.
  void failed(const FileOutcome& file, std::string_view message, bool never_delivered) noexcept;

 private:
  bool has(const FileOutcome& file) const noexcept {
    return journal_ != nullptr && file.journal_id != 0;
  }

  Journal* journal_;
};

}  // namespace mavi::detail::batch

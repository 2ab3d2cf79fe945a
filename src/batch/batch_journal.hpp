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

// MAVI's answer refuses the whole account (a bad key, no credits, a suspended account): no
// other file can get through either, and retrying cannot help.
bool refuses_the_account(Errc kind) noexcept;
// The failed upload certainly left no copy at MAVI: refused before it was sent, or by MAVI.
// Network errors, timeouts and server errors are ambiguous: the next run looks the video up.
bool never_delivered(Errc kind) noexcept;

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
  // Committed before any byte is sent, with the size of what goes (when known).
  void upload_started(const FileOutcome& file, std::optional<std::uint64_t> size_bytes);
  // v2: the asset reserved for the upload, before any byte of the file is sent. Never throws
  // (called from the client): a journal that stopped working shows on the next write.
  void asset_reserved(const FileOutcome& file, const std::string& asset_id) noexcept;
  void uploaded(const FileOutcome& file, const VideoRecord& video, int http_status,
                std::string_view code);
  void video_status(const FileOutcome& file, const VideoRecord& video);
  void skipped(const FileOutcome& file, std::string_view reason);
  void reset(const FileOutcome& file, std::string_view reason);
  // A failed file, recorded by what the failure means for the next run: an upload MAVI
  // refused for the whole account (bad key, no credits) goes back to pending, one that
  // certainly never reached MAVI needs no lookup, anything else may have arrived and is looked
  // up first; cancelled work is left as it is (an upload in flight stays `uploading`). Never
  // throws: the journal failing must not hide the file's own error.
  void failed(const FileOutcome& file, Errc kind, std::string_view message) noexcept;

  // An outage's start (its record id, 0 without a journal) and end. Never throw: a journal that
  // stopped working shows on the next file's write.
  std::int64_t outage_started(std::string_view base_url, const Outage& outage) noexcept;
  void outage_seen(std::int64_t id, const Outage& outage, bool ended) noexcept;

 private:
  bool has(const FileOutcome& file) const noexcept {
    return journal_ != nullptr && file.journal_id != 0;
  }

  Journal* journal_;
};

}  // namespace mavi::detail::batch

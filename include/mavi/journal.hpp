// Journal: a crash-safe SQLite record of every file a batch touched, so a re-run finishes
// the work and never uploads the same content twice to the same MAVI.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mavi/cancel.hpp"
#include "mavi/fingerprint.hpp"
#include "mavi/rules.hpp"
#include "mavi/upload.hpp"

namespace mavi {

// Where a file is in the pipeline, as the journal persists it between runs (how a run's
// FileStatus maps to it: mavi/batch.hpp). Each change is one committed transaction.
enum class FileState {
  pending,    // seen, nothing done yet
  checked,    // verdict known
  preparing,  // remux/transcode running
  prepared,   // conforming file ready (or the original was already ok)
  uploading,  // an upload may have reached MAVI: look it up before sending again
  uploaded,   // MAVI answered with a videoNo
  processed,  // MAVI's final status (PARSE or FAIL) is known
  skipped,    // rejected by the rules (FileStatus::rejected); `error` says why
  failed,     // gave up; `error` says why
};

std::string_view to_string(FileState state) noexcept;
std::optional<FileState> file_state_from_string(std::string_view text) noexcept;

struct JournalRecord {
  std::int64_t id = 0;
  std::string fingerprint;  // Fingerprint::text()
  std::filesystem::path path;
  std::string base_url;
  std::optional<VerdictKind> verdict;  // none until checked
  Action action = Action::none;
  FileState state = FileState::pending;
  VideoRecord video;  // MAVI's answer (video_no empty until uploaded)
  int http_status = 0;
  std::string code;   // MAVI's code
  std::string error;  // why it failed or was skipped
  int upload_attempts = 0;
  // When the last upload began: the window for looking the video up after a crash.
  std::optional<std::chrono::system_clock::time_point> upload_started;
  // The size of what that upload sent (the prepared file, or the input as it was): a look-up
  // recognises the video by it where MAVI renamed it, even once the input is gone.
  std::optional<std::uint64_t> upload_bytes;
  std::chrono::system_clock::time_point created;
  std::chrono::system_clock::time_point updated;
};

// A file a batch wrote into an output folder (-o), and the input it was made from.
struct JournalOutput {
  std::filesystem::path path;    // absolute
  std::filesystem::path source;  // absolute
};

// A time MAVI did not answer during a batch (see mavi::Outage).
struct JournalOutage {
  std::string base_url;
  std::chrono::system_clock::time_point from;
  std::chrono::system_clock::time_point to;  // the last time seen while it lasted
  bool ended = false;                        // false: the run stopped (or crashed) during it
  std::string reason;
};

struct JournalEvent {
  std::int64_t file_id = 0;
  std::chrono::system_clock::time_point at;
  std::string from_state;
  std::string to_state;
  std::string detail;
};

// One videoNo a file record was uploaded as (its `uploaded` events name each one).
struct JournalCopy {
  std::string video_no;
  std::chrono::system_clock::time_point uploaded;  // the latest event naming it
  // The copy clean-up keeps: the record's current video_no, or (a record with none, reset by
  // --force or after its video was deleted) its most recent copy not deleted.
  bool kept = false;
  bool deleted = false;  // record_deleted() was called for it
};

// Every copy of one file record's content at its base URL.
struct JournalCopies {
  std::int64_t file_id = 0;
  std::filesystem::path path;
  std::string base_url;
  std::string video_no;             // the record's current one ("" when none)
  std::vector<JournalCopy> copies;  // oldest first
};

struct JournalOptions {
  // Reading only (a report while a batch runs): nothing is created, locked or written.
  bool read_only = false;
  // A journal another run holds: wait this long for it to end (0: refuse at once).
  std::chrono::milliseconds wait_for_lock{0};
  CancelToken cancel;  // stops that wait
};

class Journal {
 public:
  // $XDG_STATE_HOME/mavi/journal.sqlite, else ~/.local/state/mavi/journal.sqlite.
  static std::filesystem::path default_path();

  // Opens (creating, mode 0600, folders 0700) the journal in WAL mode and takes it for this
  // run: one run per journal, or two runs of a batch would upload the same files. Throws
  // mavi::Error: journal_locked (another run holds it, its PID in the message), journal (it
  // cannot be created, is read-only or corrupt), permission_denied.
  explicit Journal(const std::filesystem::path& path, const JournalOptions& options = {});
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const std::filesystem::path& path() const noexcept;

  // Every write first checks that the journal is still the file it opened: one removed,
  // moved or replaced during the run (its folder deleted, say) throws Errc::journal instead
  // of recording into a file nobody will read again. So does every write SQLite refuses.

  // The record for this content at this base URL, created (pending) when new; the path is
  // updated to the latest one seen until an upload of the content starts, and from then on is
  // the path that was uploaded.
  JournalRecord open_record(const Fingerprint& fingerprint, const std::filesystem::path& path,
                            std::string_view base_url);
  std::optional<JournalRecord> find(std::string_view fingerprint, std::string_view base_url);
  JournalRecord get(std::int64_t id);

  void record_verdict(std::int64_t id, VerdictKind verdict, Action action);
  void transition(std::int64_t id, FileState to, std::string_view detail = {});
  // State `uploading` with the start time, the attempt count, the path being uploaded and the
  // size of what is sent, committed before any byte is sent.
  void record_upload_started(std::int64_t id, const std::filesystem::path& path,
                             std::optional<std::uint64_t> size_bytes = std::nullopt);
  // MAVI's answer; the video's asset_id (v2) is kept when the answer carries none.
  void record_uploaded(std::int64_t id, const VideoRecord& video, int http_status,
                       std::string_view code);
  // v2: the asset MAVI reserved for the upload in flight (video.asset_id), committed before any
  // byte is sent, so that a run after a crash can ask the asset's metadata whether it arrived.
  void record_asset_reserved(std::int64_t id, std::string_view asset_id);
  // MAVI's processing status (and the cause it gave for a failure); a final one
  // (processing_state()) moves the file to FileState::processed.
  void record_video_status(std::int64_t id, std::string_view video_status,
                           std::string_view cause = {});
  void record_failure(std::int64_t id, std::string_view error);
  // A failed upload that certainly never reached MAVI (refused before or by the server): no
  // lookup is needed before the next attempt.
  void record_upload_refused(std::int64_t id, std::string_view error);
  // State `skipped` (rejected by the rules), with the reason kept as the record's error.
  void record_skipped(std::int64_t id, std::string_view reason);
  // Back to `pending` so the next run does the work again (--force).
  void reset(std::int64_t id, std::string_view reason);

  // Outputs written into a folder, so that a re-run gives each input the name it got before
  // and never takes a file the batch did not make. Paths are absolute.
  void record_output(const std::filesystem::path& output, const std::filesystem::path& source);
  void forget_output(const std::filesystem::path& output);
  std::vector<JournalOutput> outputs_in(const std::filesystem::path& folder);

  // The times MAVI did not answer: committed when one begins and again when it ends, so a run
  // that crashes during an outage still leaves it on record (not ended).
  std::int64_t record_outage_start(std::string_view base_url,
                                   std::chrono::system_clock::time_point from,
                                   std::string_view reason);
  // The last time the outage was seen; `ended`: MAVI answered again.
  void record_outage_update(std::int64_t id, std::chrono::system_clock::time_point to, bool ended);
  std::vector<JournalOutage> outages();

  // Per file record of `base_url` that was ever uploaded: every distinct videoNo it had,
  // which one is kept and which were deleted. Records in id order.
  std::vector<JournalCopies> uploaded_copies(std::string_view base_url);
  // A video this journal's uploads made was deleted at MAVI: never offered for deletion again.
  void record_deleted(std::string_view base_url, std::string_view video_no);

  std::vector<JournalRecord> records();
  std::vector<JournalEvent> events(std::int64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mavi

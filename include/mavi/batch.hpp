// run_batch(): check, prepare and upload many files as a pipeline. Preparation runs on
// several workers while finished files upload, so the whole takes about as long as the larger
// of the two. A Journal makes it resumable: a re-run finishes the work and never uploads the
// same content twice to the same MAVI.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mavi/cancel.hpp"
#include "mavi/error.hpp"
#include "mavi/journal.hpp"
#include "mavi/plan.hpp"
#include "mavi/prepare.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"
#include "mavi/upload.hpp"

namespace mavi {

// Three kinds of state, each for its own reader:
// - FileStatus: a file's outcome in this run, one value per file (FileOutcome::status): what
//   the report says and what the program counts (a switch over it, every value listed).
// - BatchEventKind: progress events, as they happen (observers, --json-lines). `finished`
//   comes once per file of the shard with its settled FileOutcome: count files on it. `skipped`
//   and `failed` are "ends here" notifications that lump several outcomes together; the
//   precise outcome is the FileOutcome::status they carry.
// - FileState (mavi/journal.hpp): what the journal persists between runs, per content and
//   MAVI (resuming, no duplicate uploads); written as the file moves, not once at the end.
//
// How a file's outcome shows in the other two (the journal keeps records only for a batch that
// uploads):
//   FileStatus        its "ends here" event   FileState in the journal afterwards
//   uploaded          uploaded                uploaded (processed once --wait knows)
//   uploaded_earlier  skipped                 unchanged (uploaded or processed)
//   duplicate         skipped                 the first copy's record, not touched for this one
//   prepared          prepared                -
//   ok                (checked only)          -
//   copied            prepared                -
//   planned           (checked only)          - (a dry run writes nothing)
//   rejected          skipped                 skipped
//   failed            failed                  failed; pending when MAVI refused the account
//   cancelled         failed                  unchanged (an upload in flight stays uploading)
// (While uploading, a file passes through prepared and uploading on its way.) The batch writes
// each settled outcome once, where it is decided, through one BatchJournal call per row:
// uploaded(), skipped() for rejected, failed() for failed and cancelled.

// Where one file ended up.
enum class FileStatus {
  uploaded,          // MAVI answered with a videoNo in this run
  uploaded_earlier,  // the journal knew this content at this MAVI: not uploaded again
  duplicate,         // the same content came earlier in this batch (duplicate_of): sent once
  prepared,          // a conforming file was written and kept (no upload)
  ok,                // acceptable as it is; nothing written (no upload)
  copied,            // acceptable as it is; copied into the output folder (no upload)
  planned,           // dry run: what would be done
  rejected,          // the rules reject it (see `error`): nothing can make MAVI take it
  failed,            // see `error` and `error_kind`
  cancelled,         // the batch was stopped before this file was done
};
std::string_view to_string(FileStatus status) noexcept;

struct FileOutcome {
  std::size_t index = 0;  // position in the input list
  std::filesystem::path path;
  std::string fingerprint;  // Fingerprint::text(); empty when the file could not be read
  std::optional<Verdict> verdict;
  Action action = Action::none;
  std::optional<Plan> plan;
  std::optional<std::filesystem::path> output;  // the prepared or copied file, when kept
  std::string output_note;  // the output's plain name was taken: why another one was chosen
  FileStatus status = FileStatus::failed;
  std::string error;               // why rejected, failed or cancelled
  std::optional<Errc> error_kind;  // failed, cancelled
  // duplicate: the path of this batch that has the same content (and is uploaded once).
  std::optional<std::filesystem::path> duplicate_of;
  std::optional<UploadResult> upload;  // MAVI's answer (from the journal: uploaded_earlier)
  double prepare_seconds = 0;
  double prepare_speed = 0;     // media seconds per second
  std::int64_t journal_id = 0;  // 0 without a journal
};

// What a BatchObserver hears, as it happens.
enum class BatchEventKind {
  checked,    // verdict known
  preparing,  // remux or re-encode started
  prepared,   // conforming file written (or copied)
  uploading,  // upload started
  uploaded,   // MAVI answered with a videoNo
  // "Ends here" notifications: the file goes no further in this run. Each lumps outcomes
  // together; the precise one is FileOutcome::status (count on `finished`, not on these).
  skipped,    // rejected, uploaded earlier or a duplicate
  failed,     // failed or cancelled (FileOutcome::error, error_kind)
  processed,  // MAVI's final processing status is known (upload->video.video_status)
  // Once per file of this shard, when its outcome for this run is settled (FileOutcome::status;
  // before --wait's `processed`).
  finished,
  outside_shard,  // the file belongs to another shard: nothing is done with it
};
std::string_view to_string(BatchEventKind kind) noexcept;

struct BatchEvent {
  BatchEventKind kind;
  const FileOutcome& file;  // a snapshot, valid during the call
};

// A time MAVI did not answer: every upload failed on the connection, a timeout or a 5xx, so the
// batch paused its uploads (preparation went on) and probed until MAVI answered again.
struct Outage {
  std::chrono::system_clock::time_point from;
  std::chrono::system_clock::time_point to;  // == from while it lasts
  std::string reason;                        // the error that started it
};

// What the batch tells about MAVI as a whole (not about one file).
struct ServiceEvent {
  enum class Kind {
    unavailable,   // an outage began: uploads pause
    probe_failed,  // a probe found MAVI still unavailable; next_probe says when the next comes
    restored,      // MAVI answers again: uploads resume
    // MAVI answered "rate limited" (0429): every upload slows down to uploads_per_minute; the
    // next one starts at next_upload. No file's retries are spent on it.
    rate_limited,
  };
  Kind kind;
  Outage outage;                                     // so far (not for rate_limited)
  std::chrono::system_clock::time_point next_probe;  // unavailable, probe_failed
  // rate_limited: the pace in force, when the next upload starts, and the files still to
  // upload (at most: some may turn out not to need it) with how long they take at that pace.
  double uploads_per_minute = 0;
  std::chrono::system_clock::time_point next_upload;
  std::size_t uploads_left = 0;
  std::chrono::seconds eta{0};
  int rate_limited_answers = 0;  // in this run so far
};
std::string_view to_string(ServiceEvent::Kind kind) noexcept;
using ServiceObserver = std::function<void(const ServiceEvent&)>;

// Called from worker threads, one call at a time. Must not throw.
using BatchObserver = std::function<void(const BatchEvent&)>;
// Upload progress of one file, from the uploading thread(s). Must not throw.
using BatchUploadProgress =
    std::function<void(const std::filesystem::path& file, const UploadProgress& progress)>;
// Preparation progress of one file (media seconds done, total, speed). Must not throw.
using BatchPrepareProgress = std::function<void(const std::filesystem::path& file, double done_s,
                                                double total_s, double speed)>;

struct BatchOptions {
  Rules rules;             // what every file is checked (and its prepared file verified) against
  PrepareOptions prepare;  // threads 0: automatic for one job, else a fair share per job;
                           // its cancel token is replaced by `cancel`
  unsigned jobs = 0;       // check/prepare workers; 0: the number of cores
  unsigned upload_concurrency = 1;
  bool upload = true;  // false: prepare only (the output folder must be set)
  bool dry_run = false;
  bool copy_ok = false;  // without upload: copy acceptable files into the output folder
  // Prepared files are written here and kept. Empty: into the work folder, deleted once
  // uploaded unless keep_prepared.
  std::filesystem::path output_dir;
  std::filesystem::path work_dir;  // empty: a private temporary folder, removed at the end
  bool keep_prepared = false;
  // Preparation waits while the prepared files not yet uploaded (plus the estimated size of
  // those being prepared) would exceed this; 0: no limit. One file is always allowed.
  std::uintmax_t max_work_bytes = 0;
  bool force = false;        // upload again what the journal says is uploaded
  unsigned shard_index = 0;  // only files whose fingerprint falls in this shard ...
  unsigned shard_count = 1;  // ... of this many
  bool wait = false;         // poll MAVI until each uploaded video is PARSE or FAIL
  std::chrono::seconds wait_timeout{1800};
  std::chrono::milliseconds wait_first_poll{5000};  // doubles up to wait_max_poll
  std::chrono::milliseconds wait_max_poll{30000};
  // An outage (uploads failing on the connection, timeouts or 5xx, whatever the file) pauses
  // the uploads without spending any file's retries; MAVI is probed after outage_first_probe,
  // the delay doubling up to outage_max_probe. An outage longer than outage_timeout stops
  // the batch (fatal_error Errc::service_unavailable), the files not uploaded left pending.
  std::chrono::seconds outage_timeout{7200};
  std::chrono::milliseconds outage_first_probe{5000};
  std::chrono::milliseconds outage_max_probe{300'000};
  UploadOptions upload_options;
  CancelToken cancel;  // request() stops the batch soon: no new file starts
  BatchObserver observer;
  ServiceObserver service_observer;  // outages; called like `observer`, one call at a time
  BatchUploadProgress upload_progress;
  BatchPrepareProgress prepare_progress;
};

// An upload an earlier run began and never confirmed, whose input has changed or vanished
// since: looked up at MAVI by the name it was sent under.
struct InterruptedUpload {
  std::filesystem::path path;        // the input as it was then
  std::optional<VideoRecord> video;  // found at MAVI, and now on record
  std::string error;                 // not found, or the lookup failed (tried again next run)
};

struct BatchResult {
  std::vector<FileOutcome> files;  // in input order, only the files of this shard
  std::size_t outside_shard = 0;   // files left to the other shards
  std::size_t not_started = 0;     // files of this shard the stopped batch never reached
  bool stopped = false;            // `cancel` ended the batch early
  // What stopped the whole batch, when something did that no file could get past: the journal
  // lost or unwritable (Errc::journal), or MAVI refusing the account (bad_auth, no_credits,
  // account_disabled, permission), or MAVI not answering for longer than the outage timeout
  // (service_unavailable). The files not done were left as they were: a re-run with the cause
  // fixed carries on.
  std::optional<Error> fatal_error;
  std::vector<Outage> outages;   // the times MAVI did not answer, in order
  int rate_limited_answers = 0;  // "rate limited" answers to uploads (none failed a file)
  std::vector<InterruptedUpload> interrupted_uploads;
  bool wait_timed_out = false;     // --wait gave up on some videos
  std::filesystem::path work_dir;  // where prepared files went (kept only with keep_prepared)
};

// Runs the batch. `client` may be null only when options.upload is false or dry_run;
// `journal` may be null (no resuming, no duplicate protection across runs). Per-file failures
// are outcomes, never exceptions; throws mavi::Error only for unusable options or folders.
BatchResult run_batch(const std::vector<std::filesystem::path>& files, const BatchOptions& options,
                      const Client* client, Journal* journal);

}  // namespace mavi

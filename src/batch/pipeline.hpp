// The batch pipeline behind run_batch(): `jobs` workers fingerprint, check and prepare files;
// `upload_concurrency` workers upload them as soon as they are ready; every step is committed
// to the journal before the next begins, so a crash at any moment loses nothing and
// duplicates nothing. One class, one file per stage:
//   pipeline.cpp       threads, the upload queue, events, failures
//   folders.cpp        the work and output folders, output names
//   prepare_stage.cpp  fingerprint, journal, check, prepare
//   upload_stage.cpp   upload, and which videos belong to which record
//   wait_stage.cpp     --wait: polling MAVI until every video is processed
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "batch/batch_journal.hpp"
#include "batch/output_names.hpp"
#include "batch/service_health.hpp"
#include "batch/work_budget.hpp"
#include "mavi/batch.hpp"
#include "mavi/check.hpp"

namespace mavi::detail::batch {

// One file on its way through the pipeline. Owned by one thread at a time: the preparing
// worker, then (handed over through the upload queue) an upload worker.
struct Item {
  FileOutcome outcome;
  bool started = false;
  bool in_shard = true;
  std::filesystem::path input;     // the file read: the path, or a remote source's download
  std::filesystem::path source;    // what to upload (a remote source by URL: the URL)
  bool remote = false;             // an http(s):// source
  bool by_url = false;             // handed to MAVI by its URL: no byte passes through here
  std::uintmax_t remote_size = 0;  // what the server says (0: unknown)
  bool delete_after_upload = false;
  std::uintmax_t held_bytes = 0;  // counted in the WorkBudget until uploaded
  // An earlier run may have delivered this content: look it up from then on.
  std::optional<std::chrono::system_clock::time_point> lookup_from;
  // v2: the asset reserved for the latest upload of this content (this run's or an earlier
  // one's): the only way to find that upload again.
  std::string asset_id;
  // The size the latest upload of this content sent (an earlier run's, from the journal, or
  // this run's): a look-up recognises that upload by it, whatever this run prepares now.
  std::optional<std::uint64_t> last_upload_bytes;
  // Put back in the queue by an outage after an upload that may have arrived: look it up
  // before sending it again.
  bool look_up_before_upload = false;
  unsigned outage_requeues = 0;
  bool had_second_round = false;  // failed the outage way while MAVI answered: one more round

  // The size of what an upload of `source` sends: the file's, or by URL the size its server
  // told; nothing when unknown.
  std::optional<std::uint64_t> size_to_send() const;
};

class Pipeline {
 public:
  // Throws mavi::Error(invalid_argument) for options that cannot work together.
  Pipeline(const std::vector<std::filesystem::path>& files, const BatchOptions& options,
           const Client* client, Journal* journal);
  BatchResult run();

 private:
  // pipeline.cpp
  bool stopping() const;
  void emit(BatchEventKind kind, const FileOutcome& outcome);
  void fail(Item& item, Errc kind, const std::string& message);
  void finish(const Item& item);
  void enqueue(std::size_t index);
  void enqueue_first(std::size_t index);

  // folders.cpp
  void set_up_folders();
  void take_output(Item& item, const OutputName& name);
  void give_back_output(const OutputName& name);
  void finish_work_file(Item& item);

  // prepare_stage.cpp
  void prepare_worker();
  bool handle(Item& item);
  bool handle_checked(Item& item, const CheckResult& checked);
  bool use_journal(Item& item, const Fingerprint& fp);
  bool recover_earlier_upload(Item& item, bool prepared);
  bool accept_as_is(Item& item);
  bool prepare_item(Item& item, const CheckResult& checked);

  // remote_stage.cpp
  bool handle_remote(Item& item);
  bool fetch_and_handle(Item& item, bool needs_preparing);

  // upload_stage.cpp
  void remember_known_videos();
  bool claim_video(const std::string& video_no, std::int64_t id);
  std::filesystem::path claim_record(std::int64_t id, const std::filesystem::path& path);
  void upload_worker();
  bool wait_for_mavi();
  bool pause_for_outage(Item& item, const Error& error);
  bool mavi_answers() const;
  void on_service_event(const ServiceEvent& event);
  void report_rate_limited(const UploadProgress& progress);
  void upload(Item& item);

  // interrupted_uploads.cpp
  void resolve_interrupted_uploads(BatchResult& result);

  // wait_stage.cpp
  bool wait_for_processing();
  bool poll(Item& item);

  const BatchOptions& options_;
  const Client* client_;
  BatchJournal journal_;     // the files' records: only when uploading
  Journal* output_journal_;  // the outputs written into a folder of the user's
  const bool uploading_;
  std::string base_url_;
  std::vector<Item> items_;
  PrepareOptions prepare_options_;
  WorkBudget budget_;
  std::filesystem::path staging_dir_;
  bool own_staging_dir_ = false;
  std::unique_ptr<OutputNames> names_;
  std::unique_ptr<ServiceHealth> health_;
  std::unique_ptr<Client> probe_client_;  // one attempt per probe
  std::int64_t outage_record_ = 0;        // the journal's record of the outage going on
  std::atomic<int> rate_limited_answers_{0};
  std::atomic<std::size_t> files_settled_{0};  // finish() called: nothing more to upload

  std::atomic<std::size_t> next_{0};
  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<std::size_t> queue_;
  unsigned producers_left_ = 0;

  std::atomic<bool> fatal_{false};
  std::optional<Error> fatal_error_;  // the first error that stopped the batch
  std::mutex fatal_mutex_;
  std::mutex event_mutex_;
  std::mutex known_mutex_;
  std::map<std::string, std::int64_t> known_videos_;
  std::map<std::int64_t, std::filesystem::path> first_path_of_record_;
};

}  // namespace mavi::detail::batch

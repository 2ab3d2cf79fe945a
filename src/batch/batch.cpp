// The batch pipeline: `jobs` workers fingerprint, check and prepare files; `upload_concurrency`
// workers upload them as soon as they are ready; every step is committed to the journal
// before the next begins, so a crash at any moment loses nothing and duplicates nothing.
#include "mavi/batch.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "batch/output_names.hpp"
#include "batch/work_budget.hpp"
#include "mavi/check.hpp"
#include "mavi/error.hpp"
#include "mavi/fingerprint.hpp"
#include "mavi/prepare.hpp"
#include "prepare/place_file.hpp"

namespace mavi {

namespace fs = std::filesystem;

std::string_view to_string(FileStatus status) noexcept {
  switch (status) {
    case FileStatus::uploaded:
      return "uploaded";
    case FileStatus::uploaded_earlier:
      return "uploaded_earlier";
    case FileStatus::duplicate:
      return "duplicate";
    case FileStatus::prepared:
      return "prepared";
    case FileStatus::ok:
      return "ok";
    case FileStatus::copied:
      return "copied";
    case FileStatus::planned:
      return "planned";
    case FileStatus::rejected:
      return "rejected";
    case FileStatus::failed:
      return "failed";
    case FileStatus::cancelled:
      return "cancelled";
  }
  return "failed";
}

std::string_view to_string(BatchEventKind kind) noexcept {
  switch (kind) {
    case BatchEventKind::checked:
      return "checked";
    case BatchEventKind::preparing:
      return "preparing";
    case BatchEventKind::prepared:
      return "prepared";
    case BatchEventKind::uploading:
      return "uploading";
    case BatchEventKind::uploaded:
      return "uploaded";
    case BatchEventKind::skipped:
      return "skipped";
    case BatchEventKind::failed:
      return "failed";
    case BatchEventKind::processed:
      return "processed";
    case BatchEventKind::finished:
      return "finished";
    case BatchEventKind::outside_shard:
      return "outside_shard";
  }
  return "failed";
}

namespace {

using SystemClock = std::chrono::system_clock;

// How long a stopping batch still waits for MAVI's answer to an upload whose body is sent.
constexpr auto kAnswerGrace = std::chrono::seconds(10);

// Failures after which MAVI certainly holds no copy of the upload: the request was refused
// before it was sent (TLS, options) or MAVI answered with a refusal. Network errors, timeouts
// and server errors are ambiguous: the next run looks the video up first.
bool never_delivered(Errc kind) {
  switch (kind) {
    case Errc::invalid_argument:
    case Errc::bad_auth:
    case Errc::no_credits:
    case Errc::account_disabled:
    case Errc::bad_request:
    case Errc::permission:
    case Errc::rate_limited:
    case Errc::not_found:
    case Errc::permission_denied:
      return true;
    default:
      return false;
  }
}

bool is_final(std::string_view video_status) {
  return video_status == "PARSE" || video_status == "FAIL";
}

std::string first_error(const Verdict& verdict) {
  for (const auto& f : verdict.findings) {
    if (f.severity == Severity::error && f.fix == Action::none)
      return f.message;
  }
  for (const auto& f : verdict.findings) {
    if (f.severity == Severity::error)
      return f.message;
  }
  return "rejected";
}

// Copies an acceptable file into place through a temporary name, as prepare() writes.
void copy_into_place(const fs::path& input, const fs::path& output, bool replace) {
  const fs::path temp = output.parent_path() / ("." + output.filename().string() + ".partial");
  std::error_code ec;
  fs::copy_file(input, temp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw Error(ec == std::errc::no_space_on_device  ? Errc::disk_full
                : ec == std::errc::permission_denied ? Errc::permission_denied
                                                     : Errc::io,
                "copying " + input.string() + " to " + output.string() + ": " + ec.message(),
                ec.value());
  }
  try {
    detail::rename_into_place(temp, output, replace);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

// Creates `dir` when missing: with the umask's mode (a folder for the user's results), or
// private (0700) for a work folder. An existing folder is used as it is. A folder that cannot
// be used is an io (or permission_denied) error, not a usage error: the command was right.
fs::path make_folder(const fs::path& dir, bool private_folder) {
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (!ec && !existed && private_folder)
    ::chmod(dir.c_str(), 0700);
  if (ec || !fs::is_directory(dir)) {
    throw Error(ec == std::errc::permission_denied ? Errc::permission_denied : Errc::io,
                "cannot use folder " + dir.string() + ": " +
                    (ec ? ec.message() : std::string("not a folder")));
  }
  return dir;
}

fs::path make_temporary_dir() {
  std::string pattern = (fs::temp_directory_path() / "mavi-work-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)  // mode 0700
    throw Error(Errc::io,
                "cannot create a temporary work folder in " + fs::temp_directory_path().string());
  return pattern;
}

// One file on its way through the pipeline. Owned by one thread at a time: the preparing
// worker, then (handed over through the upload queue) an upload worker.
struct Item {
  FileOutcome outcome;
  bool started = false;
  bool in_shard = true;
  fs::path source;  // what to upload
  bool delete_after_upload = false;
  std::uintmax_t held_bytes = 0;                       // counted in the WorkBudget until uploaded
  std::optional<SystemClock::time_point> lookup_from;  // an earlier upload may have arrived
};

class Pipeline {
 public:
  Pipeline(const std::vector<fs::path>& files, const BatchOptions& options, const Client* client,
           Journal* journal)
      : options_(options),
        client_(client),
        journal_(options.upload && !options.dry_run ? journal : nullptr),
        output_journal_(options.dry_run ? nullptr : journal),
        uploading_(options.upload && !options.dry_run),
        items_(files.size()),
        budget_(options.max_work_bytes) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      items_[i].outcome.index = i;
      items_[i].outcome.path = files[i];
    }
    if (uploading_ && client_ == nullptr)
      throw Error(Errc::invalid_argument, "uploading needs a client");
    if (!options.upload && !options.dry_run && options.output_dir.empty())
      throw Error(Errc::invalid_argument, "preparing without uploading needs an output folder");
    if (options.shard_count == 0 || options.shard_index >= options.shard_count)
      throw Error(Errc::invalid_argument, "the shard must be K/N with 0 <= K < N");
    base_url_ = client_ ? client_->config().base_url : std::string();
  }

  BatchResult run() {
    BatchResult result;
    set_up_folders();
    result.work_dir = staging_dir_;
    remember_known_videos();

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned jobs = std::clamp<std::size_t>(options_.jobs ? options_.jobs : cores, 1,
                                                  std::max<std::size_t>(items_.size(), 1));
    prepare_options_ = options_.prepare;
    prepare_options_.cancel = options_.cancel;
    // One job: the codecs' own automatic thread counts (FFmpeg's decoders take cores + 1,
    // libx264 1.5 x cores), more threads than cores so that one waiting on another (a libx264
    // frame on the rows of its reference) leaves no core idle. Several jobs: a fair share each.
    if (prepare_options_.threads == 0 && jobs > 1)
      prepare_options_.threads = static_cast<int>(std::max(1u, cores / jobs));

    producers_left_ = jobs;
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t)
      threads.emplace_back([this] { prepare_worker(); });
    const unsigned uploaders = uploading_ ? std::max(1u, options_.upload_concurrency) : 0;
    for (unsigned t = 0; t < uploaders; ++t)
      threads.emplace_back([this] { upload_worker(); });
    for (auto& thread : threads)
      thread.join();

    if (options_.wait && uploading_ && !stopping())
      result.wait_timed_out = !wait_for_processing();

    result.stopped = stopping();
    for (auto& item : items_) {
      if (!item.in_shard)
        ++result.outside_shard;
      else if (item.started)
        result.files.push_back(std::move(item.outcome));
      else
        ++result.not_started;
    }
    if (own_staging_dir_ && !options_.keep_prepared) {
      std::error_code ignored;
      fs::remove_all(staging_dir_, ignored);
      result.work_dir.clear();
    }
    return result;
  }

 private:
  bool stopping() const { return options_.cancel.requested(); }

  void set_up_folders() {
    if (options_.dry_run) {
      // Nothing is created. Without a folder of the user's, a real run would write into a
      // private temporary folder: no name to show.
      staging_dir_ = !options_.output_dir.empty() ? options_.output_dir : options_.work_dir;
      if (staging_dir_.empty())
        return;
    } else if (!options_.output_dir.empty()) {
      staging_dir_ = make_folder(options_.output_dir, false);
    } else if (!options_.work_dir.empty()) {
      staging_dir_ = make_folder(options_.work_dir, true);
    } else {
      staging_dir_ = make_temporary_dir();
      own_staging_dir_ = true;
    }
    std::vector<fs::path> inputs;
    for (const auto& item : items_)
      inputs.push_back(item.outcome.path);
    // Outputs in a folder of the user's are journalled: a re-run keeps each input's name.
    if (own_staging_dir_)
      output_journal_ = nullptr;
    const std::vector<JournalOutput> earlier =
        output_journal_ ? output_journal_->outputs_in(detail::batch::OutputNames::key(staging_dir_))
                        : std::vector<JournalOutput>{};
    names_ = std::make_unique<detail::batch::OutputNames>(staging_dir_, inputs,
                                                          options_.copy_ok && !uploading_, earlier);
  }

  // Takes `name` for `item`: recorded in the journal before anything is written, so that a
  // crash leaves the next run knowing the file is the batch's own.
  void take_output(Item& item, const detail::batch::OutputName& name) {
    item.outcome.output = name.path;
    item.outcome.output_note = name.note;
    if (output_journal_ && !name.ours)
      output_journal_->record_output(name.key, detail::batch::OutputNames::key(item.outcome.path));
  }

  // A failed output leaves no claim on a name the batch never wrote.
  void give_back_output(const detail::batch::OutputName& name) {
    if (output_journal_ && !name.ours) {
      try {
        output_journal_->forget_output(name.key);
      } catch (const Error&) {
        // The name stays reserved: harmless, the next run uses it again for this input.
      }
    }
  }

  // Videos the journal already attributes to some file: a lookup by name must not claim them
  // for another file of the same name.
  void remember_known_videos() {
    if (!journal_)
      return;
    for (const auto& record : journal_->records()) {
      if (!record.video.video_no.empty())
        known_videos_[record.video.video_no] = record.id;
    }
  }

  bool claim_video(const std::string& video_no, std::int64_t id) {
    std::lock_guard lock(known_mutex_);
    auto [it, inserted] = known_videos_.try_emplace(video_no, id);
    return inserted || it->second == id;
  }

  // The first path of this run with the content of journal record `id`.
  fs::path claim_record(std::int64_t id, const fs::path& path) {
    std::lock_guard lock(known_mutex_);
    return first_path_of_record_.try_emplace(id, path).first->second;
  }

  void emit(BatchEventKind kind, const FileOutcome& outcome) {
    if (!options_.observer)
      return;
    std::lock_guard lock(event_mutex_);
    try {
      options_.observer(BatchEvent{kind, outcome});
    } catch (...) {
      // An observer must not throw; a broken one must not break the batch either.
    }
  }

  void fail(Item& item, Errc kind, const std::string& message) {
    FileOutcome& out = item.outcome;
    out.status = kind == Errc::cancelled ? FileStatus::cancelled : FileStatus::failed;
    out.error = message;
    out.error_kind = kind;
    if (item.delete_after_upload) {
      // A file in the private work folder is gone with the batch: name what the user knows.
      out.output.reset();
      const std::string temp = item.source.string();
      const std::string named = "the prepared copy of " + out.path.string();
      for (auto at = out.error.find(temp); !temp.empty() && at != std::string::npos;
           at = out.error.find(temp, at + named.size()))
        out.error.replace(at, temp.size(), named);
    }
    // An interrupted upload stays `uploading` in the journal: the next run looks it up.
    if (journal_ && out.journal_id != 0 && kind != Errc::cancelled) {
      try {
        if (never_delivered(kind))
          journal_->record_upload_refused(out.journal_id, message);
        else
          journal_->record_failure(out.journal_id, message);
      } catch (const Error&) {
        // The journal itself failing must not hide the file's own error.
      }
    }
    emit(BatchEventKind::failed, out);
  }

  // The file's outcome for this run is settled (or it belongs to another shard).
  void finish(const Item& item) {
    emit(item.in_shard ? BatchEventKind::finished : BatchEventKind::outside_shard, item.outcome);
  }

  void finish_work_file(Item& item) {
    if (item.delete_after_upload) {
      std::error_code ignored;
      fs::remove(item.source, ignored);
      item.outcome.output.reset();
    }
    budget_.release(item.held_bytes);
    item.held_bytes = 0;
  }

  // --- stage 1: fingerprint, journal, check, prepare -----------------------------------------

  void prepare_worker() {
    for (;;) {
      if (stopping())
        break;
      const std::size_t i = next_.fetch_add(1);
      if (i >= items_.size())
        break;
      Item& item = items_[i];
      try {
        if (handle(item)) {
          enqueue(i);
          continue;
        }
      } catch (const Error& e) {
        fail(item, e.kind(), e.what());
      } catch (const std::exception& e) {
        fail(item, Errc::internal, std::string("internal error: ") + e.what());
      }
      finish(item);
    }
    {
      std::lock_guard lock(queue_mutex_);
      --producers_left_;
    }
    queue_ready_.notify_all();
  }

  // Returns true when the item is ready to upload.
  bool handle(Item& item) {
    FileOutcome& out = item.outcome;
    std::optional<Fingerprint> fp;
    if (journal_ || options_.shard_count > 1) {
      try {
        fp = fingerprint(out.path);
        out.fingerprint = fp->text();
      } catch (const Error&) {
        // check() below names what is wrong with the file; shard 0 reports it.
      }
    }
    const unsigned shard = fp ? shard_of(*fp, options_.shard_count) : 0;
    if (shard != options_.shard_index) {
      item.in_shard = false;
      return false;
    }
    item.started = true;
    if (journal_ && fp && !use_journal(item, *fp))
      return false;

    // Kept open for prepare(): the head is read and analysed once.
    ProbeOptions probe_options;
    probe_options.keep_open = true;
    probe_options.cancel = options_.cancel;
    const CheckResult checked = check(out.path, probe_options, options_.rules);
    out.verdict = checked.verdict;
    out.action = checked.verdict.action;
    if (journal_ && out.journal_id != 0)
      journal_->record_verdict(out.journal_id, checked.verdict.kind, checked.verdict.action);
    emit(BatchEventKind::checked, out);
    if (checked.verdict.kind == VerdictKind::rejected || !checked.media) {
      out.status = FileStatus::rejected;
      out.error = first_error(checked.verdict);
      if (journal_ && out.journal_id != 0)
        journal_->record_skipped(out.journal_id, out.error);
      emit(BatchEventKind::skipped, out);
      return false;
    }
    const bool needs_preparing = checked.verdict.kind != VerdictKind::ok;
    if (item.lookup_from && recover_earlier_upload(item, needs_preparing))
      return false;
    if (!needs_preparing)
      return accept_as_is(item);
    return prepare_item(item, checked);
  }

  // Returns false when the journal settles the file (already uploaded).
  bool use_journal(Item& item, const Fingerprint& fp) {
    FileOutcome& out = item.outcome;
    const JournalRecord record = journal_->open_record(fp, out.path, base_url_);
    if (const fs::path first = claim_record(record.id, out.path); first != out.path) {
      // The same content twice in one batch (a copy under another name): upload it once.
      out.status = FileStatus::duplicate;
      out.duplicate_of = first;
      out.error = "same content as " + first.string();
      emit(BatchEventKind::skipped, out);
      return false;
    }
    out.journal_id = record.id;
    const bool done = record.state == FileState::uploaded || record.state == FileState::processed;
    if (done && !options_.force) {
      out.status = FileStatus::uploaded_earlier;
      out.verdict.reset();
      out.action = record.action;
      UploadResult earlier;
      earlier.http_status = record.http_status;
      earlier.code = record.code;
      earlier.video = record.video;
      out.upload = earlier;
      emit(BatchEventKind::skipped, out);
      return false;
    }
    if (done) {
      journal_->reset(record.id, "--force: upload again");
    } else if (record.upload_attempts > 0 && record.upload_started) {
      // An earlier run began uploading this content and never recorded MAVI's answer.
      item.lookup_from = *record.upload_started - client_->config().clock_skew_allowance;
    }
    return true;
  }

  // Looks for the video an earlier, interrupted run may have delivered. True when found.
  bool recover_earlier_upload(Item& item, bool prepared) {
    FileOutcome& out = item.outcome;
    const std::string name = options_.upload_options.filename.empty()
                                 ? upload_name(out.path, prepared)
                                 : options_.upload_options.filename;
    const TimeWindow window{*item.lookup_from,
                            SystemClock::now() + client_->config().clock_skew_allowance};
    const std::optional<VideoRecord> found =
        client_->find_uploaded(name, window, options_.upload_options.unique_id);
    if (!found || !claim_video(found->video_no, out.journal_id))
      return false;
    UploadResult recovered;
    recovered.code = "0000";
    recovered.video = *found;
    recovered.recovered_by_lookup = true;
    journal_->record_uploaded(out.journal_id, *found, 0, "0000");
    out.upload = recovered;
    out.status = FileStatus::uploaded;
    emit(BatchEventKind::uploaded, out);
    return true;
  }

  bool accept_as_is(Item& item) {
    FileOutcome& out = item.outcome;
    item.source = out.path;
    if (uploading_) {
      if (journal_ && out.journal_id != 0)
        journal_->transition(out.journal_id, FileState::prepared, "acceptable as it is");
      return true;
    }
    out.status = FileStatus::ok;
    if (options_.copy_ok && names_) {
      const detail::batch::OutputName& name =
          names_->copy(item.outcome.index);  // keeps the input's name
      take_output(item, name);
      if (!options_.dry_run) {
        try {
          copy_into_place(out.path, name.path, name.ours);
        } catch (...) {
          out.output.reset();
          give_back_output(name);
          throw;
        }
        out.status = FileStatus::copied;
        emit(BatchEventKind::prepared, out);
      }
    }
    return false;
  }

  bool prepare_item(Item& item, const CheckResult& checked) {
    FileOutcome& out = item.outcome;
    out.plan = plan(checked, prepare_options_);
    out.action = out.plan->action;
    if (options_.dry_run) {
      if (names_)
        take_output(item, names_->prepared(item.outcome.index));
      out.status = FileStatus::planned;
      return false;
    }
    const detail::batch::OutputName& name = names_->prepared(item.outcome.index);
    const fs::path& output = name.path;
    take_output(item, name);
    std::error_code ec;
    const std::uintmax_t input_size = fs::file_size(out.path, ec);
    const std::uintmax_t estimate = out.plan->estimated_size_bytes != 0
                                        ? out.plan->estimated_size_bytes
                                        : (ec ? 0 : input_size);
    if (!budget_.acquire(estimate, [this] { return stopping(); }))
      throw Error(Errc::cancelled, "interrupted before preparing " + out.path.string());
    item.held_bytes = estimate;
    if (journal_ && out.journal_id != 0)
      journal_->transition(out.journal_id, FileState::preparing, to_string(out.action));
    emit(BatchEventKind::preparing, out);
    PrepareOptions prepare_options = prepare_options_;
    prepare_options.replace_output = name.ours;
    PrepareResult done;
    try {
      done = prepare(checked, output, *out.plan, prepare_options,
                     [&](double done_s, double total_s, double speed) {
                       if (options_.prepare_progress)
                         options_.prepare_progress(out.path, done_s, total_s, speed);
                       return !stopping();
                     });
    } catch (...) {
      out.output.reset();
      give_back_output(name);
      budget_.release(item.held_bytes);
      item.held_bytes = 0;
      throw;
    }
    budget_.adjust(item.held_bytes, done.size_bytes);
    item.held_bytes = done.size_bytes;
    out.status = FileStatus::prepared;
    out.prepare_seconds = done.elapsed.count();
    out.prepare_speed = done.speed;
    if (journal_ && out.journal_id != 0)
      journal_->transition(out.journal_id, FileState::prepared, output.string());
    emit(BatchEventKind::prepared, out);
    item.source = output;
    if (!uploading_) {
      budget_.release(item.held_bytes);
      item.held_bytes = 0;
      return false;
    }
    item.delete_after_upload = options_.output_dir.empty() && !options_.keep_prepared;
    return true;
  }

  // --- stage 2: upload --------------------------------------------------------------------

  void enqueue(std::size_t index) {
    {
      std::lock_guard lock(queue_mutex_);
      queue_.push_back(index);
    }
    queue_ready_.notify_one();
  }

  void upload_worker() {
    for (;;) {
      std::size_t index = 0;
      {
        std::unique_lock lock(queue_mutex_);
        queue_ready_.wait(lock, [&] { return !queue_.empty() || producers_left_ == 0; });
        if (queue_.empty())
          return;
        index = queue_.front();
        queue_.pop_front();
      }
      Item& item = items_[index];
      try {
        if (stopping())
          throw Error(Errc::cancelled,
                      "interrupted before uploading " + item.outcome.path.string());
        upload(item);
      } catch (const Error& e) {
        fail(item, e.kind(), e.what());
      } catch (const std::exception& e) {
        fail(item, Errc::internal, std::string("internal error: ") + e.what());
      }
      finish_work_file(item);
      finish(item);
    }
  }

  void upload(Item& item) {
    FileOutcome& out = item.outcome;
    UploadOptions upload_options = options_.upload_options;
    if (upload_options.filename.empty())
      upload_options.filename = upload_name(out.path, item.source != out.path);
    if (journal_ && out.journal_id != 0)
      journal_->record_upload_started(out.journal_id, out.path);  // before any byte is sent
    emit(BatchEventKind::uploading, out);
    // Once the whole body is on its way, stopping would leave MAVI with a video the journal
    // does not know: wait (a little) for the answer instead.
    std::optional<std::chrono::steady_clock::time_point> stop_seen;
    const UploadResult result =
        client_->upload(item.source, upload_options, [&](const UploadProgress& progress) {
          if (options_.upload_progress)
            options_.upload_progress(out.path, progress);
          if (!stopping())
            return true;
          const bool body_sent =
              progress.total_bytes != 0 && progress.bytes_sent >= progress.total_bytes;
          if (!body_sent)
            return false;
          const auto now = std::chrono::steady_clock::now();
          if (!stop_seen)
            stop_seen = now;
          return now - *stop_seen < kAnswerGrace;
        });
    claim_video(result.video.video_no, out.journal_id);
    if (journal_ && out.journal_id != 0)
      journal_->record_uploaded(out.journal_id, result.video, result.http_status, result.code);
    out.upload = result;
    out.status = FileStatus::uploaded;
    if (item.delete_after_upload)
      out.output.reset();
    emit(BatchEventKind::uploaded, out);
  }

  // --- stage 3: wait for MAVI's verdict ---------------------------------------------------

  // Polls until every uploaded video is PARSE or FAIL; false when the timeout ran out first.
  bool wait_for_processing() {
    std::vector<Item*> waiting;
    for (auto& item : items_) {
      const auto& upload = item.outcome.upload;
      if (item.started && upload && !upload->video.video_no.empty() &&
          !is_final(upload->video.video_status)) {
        waiting.push_back(&item);
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + options_.wait_timeout;
    auto delay = options_.wait_first_poll;
    while (!waiting.empty()) {
      const auto wake = std::min(std::chrono::steady_clock::now() + delay, deadline);
      while (std::chrono::steady_clock::now() < wake) {
        if (stopping())
          return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      std::erase_if(waiting, [&](Item* item) { return poll(*item); });
      if (!waiting.empty() && std::chrono::steady_clock::now() >= deadline)
        return false;
      delay = std::min(delay * 2, options_.wait_max_poll);
    }
    return true;
  }

  // True once the video's status is final.
  bool poll(Item& item) {
    FileOutcome& out = item.outcome;
    VideoRecord& video = out.upload->video;
    std::optional<TimeWindow> window;
    if (const long long ms = std::atoll(video.upload_time.c_str()); ms > 0) {
      const SystemClock::time_point at{std::chrono::milliseconds(ms)};
      window = TimeWindow{at - std::chrono::minutes(10), at + std::chrono::minutes(10)};
    }
    try {
      const std::optional<VideoRecord> now =
          client_->status(video.video_no, window, options_.upload_options.unique_id);
      if (!now || now->video_status == video.video_status)
        return false;
      video.video_status = now->video_status;
      if (journal_ && out.journal_id != 0)
        journal_->record_video_status(out.journal_id, video.video_status);
    } catch (const Error&) {
      return false;  // keep polling until the timeout: MAVI may be busy
    }
    if (!is_final(video.video_status))
      return false;
    emit(BatchEventKind::processed, out);
    return true;
  }

  const BatchOptions& options_;
  const Client* client_;
  Journal* journal_;         // the files' records: only when uploading
  Journal* output_journal_;  // the outputs written into a folder of the user's
  const bool uploading_;
  std::string base_url_;
  std::vector<Item> items_;
  PrepareOptions prepare_options_;
  detail::batch::WorkBudget budget_;
  fs::path staging_dir_;
  bool own_staging_dir_ = false;
  std::unique_ptr<detail::batch::OutputNames> names_;

  std::atomic<std::size_t> next_{0};
  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<std::size_t> queue_;
  unsigned producers_left_ = 0;

  std::mutex event_mutex_;
  std::mutex known_mutex_;
  std::map<std::string, std::int64_t> known_videos_;
  std::map<std::int64_t, fs::path> first_path_of_record_;
};

}  // namespace

BatchResult run_batch(const std::vector<fs::path>& files, const BatchOptions& options,
                      const Client* client, Journal* journal) {
  Pipeline pipeline(files, options, client, journal);
  return pipeline.run();
}

}  // namespace mavi

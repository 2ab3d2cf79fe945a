#include "batch/pipeline.hpp"

#include <algorithm>
#include <thread>

#include "mavi/error.hpp"

namespace mavi::detail::batch {

namespace fs = std::filesystem;

namespace {

// Failures no other file can get past: stop the whole batch at once, leave the rest as it is.
bool stops_the_batch(Errc kind) {
  return kind == Errc::journal || kind == Errc::journal_locked || refuses_the_account(kind);
}

}  // namespace

std::optional<std::uint64_t> Item::size_to_send() const {
  if (by_url)
    return remote_size > 0 ? std::optional<std::uint64_t>(remote_size) : std::nullopt;
  std::error_code ec;
  const auto size = fs::file_size(source, ec);
  return ec ? std::nullopt : std::optional<std::uint64_t>(size);
}

Pipeline::Pipeline(const std::vector<fs::path>& files, const BatchOptions& options,
                   const Client* client, Journal* journal)
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
  if (uploading_) {
    health_ = std::make_unique<ServiceHealth>(
        ServiceHealth::Settings{options.outage_first_probe, options.outage_max_probe,
                                options.outage_timeout},
        [this](const ServiceEvent& event) { on_service_event(event); });
    ClientConfig probe_config = client_->config();
    probe_config.retry.max_attempts = 1;
    probe_client_ = std::make_unique<Client>(std::move(probe_config));
  }
}

BatchResult Pipeline::run() {
  BatchResult result;
  set_up_folders();
  result.work_dir = staging_dir_;
  remember_known_videos();
  // Before any upload of this run: a changed file's new upload must not be taken for its old one.
  if (uploading_ && journal_.enabled() && options_.shard_count == 1)
    resolve_interrupted_uploads(result);

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

  if (health_) {
    result.outages = health_->outages();
    if (!health_->available())  // stopped during an outage: on record as not over
      journal_.outage_seen(outage_record_, result.outages.back(), false);
    health_->close();
  }
  result.rate_limited_answers = rate_limited_answers_.load();
  if (options_.wait && uploading_ && !stopping())
    result.wait_timed_out = !wait_for_processing();

  result.stopped = options_.cancel.requested();
  result.fatal_error = fatal_error_;
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

bool Pipeline::stopping() const {
  return options_.cancel.requested() || fatal_.load();
}

void Pipeline::emit(BatchEventKind kind, const FileOutcome& outcome) {
  if (!options_.observer)
    return;
  std::lock_guard lock(event_mutex_);
  try {
    options_.observer(BatchEvent{kind, outcome});
  } catch (...) {
    // An observer must not throw; a broken one must not break the batch either.
  }
}

void Pipeline::fail(Item& item, Errc kind, const std::string& message) {
  FileOutcome& out = item.outcome;
  out.status = kind == Errc::cancelled ? FileStatus::cancelled : FileStatus::failed;
  out.error = message;
  out.error_kind = kind;
  if (stops_the_batch(kind)) {
    std::lock_guard lock(fatal_mutex_);
    if (!fatal_error_)
      fatal_error_ = Error(kind, message);
    fatal_ = true;
  }
  if (item.delete_after_upload) {
    // A file in the private work folder is gone with the batch: name what the user knows.
    out.output.reset();
    const std::string temp = item.source.string();
    const std::string named = "the prepared copy of " + out.path.string();
    for (auto at = out.error.find(temp); !temp.empty() && at != std::string::npos;
         at = out.error.find(temp, at + named.size()))
      out.error.replace(at, temp.size(), named);
  }
  journal_.failed(out, kind, message);
  emit(BatchEventKind::failed, out);
}

// The file's outcome for this run is settled (or it belongs to another shard).
void Pipeline::finish(const Item& item) {
  ++files_settled_;
  emit(item.in_shard ? BatchEventKind::finished : BatchEventKind::outside_shard, item.outcome);
}

void Pipeline::enqueue(std::size_t index) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(index);
  }
  queue_ready_.notify_one();
}

// Back at the head of the queue: a file an outage interrupted goes first when MAVI is back.
void Pipeline::enqueue_first(std::size_t index) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_front(index);
  }
  queue_ready_.notify_one();
}

}  // namespace mavi::detail::batch

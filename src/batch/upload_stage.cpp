#include "batch/pipeline.hpp"

#include <ctime>

#include "mavi/error.hpp"

namespace mavi::detail::batch {

namespace fs = std::filesystem;

namespace {

// How long a stopping batch still waits for MAVI's answer to an upload whose body is sent.
constexpr auto kAnswerGrace = std::chrono::seconds(10);
// A file an outage interrupts this often fails after all: a flapping MAVI must not keep one
// file going round for ever.
constexpr unsigned kMaxOutageRequeues = 5;

std::string clock_time(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

}  // namespace

// Videos the journal already attributes to some file: a lookup by name must not claim them
// for another file of the same name.
void Pipeline::remember_known_videos() {
  for (const auto& record : journal_.records()) {
    if (!record.video.video_no.empty())
      known_videos_[record.video.video_no] = record.id;
  }
}

bool Pipeline::claim_video(const std::string& video_no, std::int64_t id) {
  std::lock_guard lock(known_mutex_);
  auto [it, inserted] = known_videos_.try_emplace(video_no, id);
  return inserted || it->second == id;
}

// The first path of this run with the content of journal record `id`.
fs::path Pipeline::claim_record(std::int64_t id, const fs::path& path) {
  std::lock_guard lock(known_mutex_);
  return first_path_of_record_.try_emplace(id, path).first->second;
}

void Pipeline::upload_worker() {
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
      if (!wait_for_mavi() || stopping()) {
        throw Error(Errc::cancelled, (fatal_ ? "left for the next run: the batch stopped before "
                                               "uploading "
                                             : "interrupted before uploading ") +
                                         item.outcome.path.string());
      }
      upload(item);
    } catch (const Error& e) {
      if (pause_for_outage(item, e)) {
        enqueue_first(index);
        continue;
      }
      fail(item, e.kind(), e.what());
    } catch (const std::exception& e) {
      fail(item, Errc::internal, std::string("internal error: ") + e.what());
    }
    finish_work_file(item);
    finish(item);
  }
}

// Blocks while MAVI is unavailable. False when the batch stops instead: asked to, or the
// outage outlasted the timeout (then the batch's fatal error says so).
bool Pipeline::wait_for_mavi() {
  const auto wait = health_->wait_until_available([this] { return mavi_answers(); },
                                                  [this] { return stopping(); });
  if (wait == ServiceHealth::Wait::timed_out) {
    const std::vector<Outage> outages = health_->outages();
    std::lock_guard lock(fatal_mutex_);
    if (!fatal_error_) {
      fatal_error_ =
          Error(Errc::service_unavailable,
                "MAVI unavailable: no answer since " + clock_time(outages.back().from) +
                    ", longer than the outage timeout (last error: " + outages.back().reason + ")");
    }
    fatal_ = true;
  }
  return wait == ServiceHealth::Wait::available;
}

// An upload failed the way every file would while MAVI is down. A probe tells: when MAVI
// answers it, the file gets one more round (the outage may have ended just now) and then the
// failure is its own; otherwise pause the uploads and put the file back, its retries untouched.
bool Pipeline::pause_for_outage(Item& item, const Error& error) {
  if (!is_service_wide(error.kind()) || stopping() || item.outage_requeues >= kMaxOutageRequeues)
    return false;
  if (health_->available() && mavi_answers()) {
    if (item.had_second_round)
      return false;
    item.had_second_round = true;
    item.look_up_before_upload = true;
    return true;
  }
  ++item.outage_requeues;
  // The body may have arrived before the connection failed: look before sending it again.
  item.look_up_before_upload = true;
  health_->mark_unavailable(error.what());
  return true;
}

// A probe: any answer at all (even a refusal) means MAVI is reachable again.
bool Pipeline::mavi_answers() const {
  const auto now = std::chrono::system_clock::now();
  try {
    // One cheap request: a status look-up of a video that does not exist.
    probe_client_->status("mavi-prep-probe", TimeWindow{now - std::chrono::minutes(1), now},
                          options_.upload_options.unique_id);
    return true;
  } catch (const Error& e) {
    return !is_service_wide(e.kind()) && e.kind() != Errc::cancelled;
  }
}

// From ServiceHealth (one call at a time): on record in the journal, then to the observer.
void Pipeline::on_service_event(const ServiceEvent& event) {
  if (event.kind == ServiceEvent::Kind::unavailable)
    outage_record_ = journal_.outage_started(base_url_, event.outage);
  else
    journal_.outage_seen(outage_record_, event.outage, event.kind == ServiceEvent::Kind::restored);
  if (!options_.service_observer)
    return;
  std::lock_guard lock(event_mutex_);
  try {
    options_.service_observer(event);
  } catch (...) {
    // An observer must not throw.
  }
}

// MAVI answered "rate limited": the observer hears the pace now in force and how long the
// files still to upload take at it.
void Pipeline::report_rate_limited(const UploadProgress& progress) {
  const int answers = ++rate_limited_answers_;
  if (!options_.service_observer)
    return;
  ServiceEvent event{};
  event.kind = ServiceEvent::Kind::rate_limited;
  const auto now = std::chrono::system_clock::now();
  event.uploads_per_minute = progress.uploads_per_minute;
  event.next_upload = now + progress.slot_in;
  // Every file not settled yet, this one included (some may turn out not to need an upload).
  const std::size_t settled = files_settled_.load();
  event.uploads_left = items_.size() > settled ? items_.size() - settled : 1;
  if (progress.uploads_per_minute > 0) {
    event.eta = std::chrono::seconds(static_cast<long long>(
        static_cast<double>(event.uploads_left) * 60.0 / progress.uploads_per_minute));
  }
  event.rate_limited_answers = answers;
  std::lock_guard lock(event_mutex_);
  try {
    options_.service_observer(event);
  } catch (...) {
    // An observer must not throw.
  }
}

void Pipeline::upload(Item& item) {
  FileOutcome& out = item.outcome;
  UploadOptions upload_options = options_.upload_options;
  if (upload_options.filename.empty())
    upload_options.filename = upload_name(out.path, item.source != item.input);
  if (item.look_up_before_upload) {
    item.look_up_before_upload = false;
    if (recover_earlier_upload(item, item.source != item.input))
      return;
  }
  if (!item.lookup_from)
    item.lookup_from = std::chrono::system_clock::now() - client_->config().clock_skew_allowance;
  item.last_upload_bytes = item.size_to_send();
  if (item.by_url)
    upload_options.source_size_bytes = item.last_upload_bytes;
  journal_.upload_started(out, item.last_upload_bytes);  // before any byte is sent
  upload_options.on_asset_reserved = [&](const std::string& asset_id) {
    item.asset_id = asset_id;
    journal_.asset_reserved(out, asset_id);
  };
  emit(BatchEventKind::uploading, out);
  // Once the whole body is on its way, stopping would leave MAVI with a video the journal
  // does not know: wait (a little) for the answer instead.
  std::optional<std::chrono::steady_clock::time_point> stop_seen;
  int rate_limited_seen = 0;
  const ProgressCallback on_progress = [&](const UploadProgress& progress) {
    if (progress.waiting_for_slot && progress.rate_limited_answers > rate_limited_seen) {
      rate_limited_seen = progress.rate_limited_answers;
      report_rate_limited(progress);
    }
    if (options_.upload_progress)
      options_.upload_progress(out.path, progress);
    if (!stopping())
      return true;
    const bool body_sent = progress.total_bytes != 0 && progress.bytes_sent >= progress.total_bytes;
    if (!body_sent)
      return false;
    const auto now = std::chrono::steady_clock::now();
    if (!stop_seen)
      stop_seen = now;
    return now - *stop_seen < kAnswerGrace;
  };
  const UploadResult result =
      item.by_url ? client_->upload_url(item.source.string(), upload_options, on_progress)
                  : client_->upload(item.source, upload_options, on_progress);
  claim_video(result.video.video_no, out.journal_id);
  journal_.uploaded(out, result.video, result.http_status, result.code);
  out.upload = result;
  out.status = FileStatus::uploaded;
  if (item.delete_after_upload)
    out.output.reset();
  emit(BatchEventKind::uploaded, out);
}

}  // namespace mavi::detail::batch

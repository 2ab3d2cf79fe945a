#include "batch/pipeline.hpp"

#include "mavi/error.hpp"

namespace mavi::detail::batch {

namespace fs = std::filesystem;

namespace {

// How long a stopping batch still waits for MAVI's answer to an upload whose body is sent.
constexpr auto kAnswerGrace = std::chrono::seconds(10);

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
      if (stopping())
        throw Error(Errc::cancelled, "interrupted before uploading " + item.outcome.path.string());
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

void Pipeline::upload(Item& item) {
  FileOutcome& out = item.outcome;
  UploadOptions upload_options = options_.upload_options;
  if (upload_options.filename.empty())
    upload_options.filename = upload_name(out.path, item.source != out.path);
  journal_.upload_started(out);  // before any byte is sent
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
  journal_.uploaded(out, result.video, result.http_status, result.code);
  out.upload = result;
  out.status = FileStatus::uploaded;
  if (item.delete_after_upload)
    out.output.reset();
  emit(BatchEventKind::uploaded, out);
}

}  // namespace mavi::detail::batch

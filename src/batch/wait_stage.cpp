#include "batch/pipeline.hpp"

#include <cstdlib>
#include <thread>

#include "mavi/error.hpp"

namespace mavi::detail::batch {

using SystemClock = std::chrono::system_clock;

namespace {

bool is_final(std::string_view video_status) {
  return mavi::is_final(processing_state(video_status));
}

}  // namespace

// Polls until every uploaded video's processing is final (processing_state(): PARSE or
// SUCCESS, FAIL, FAILED or PARSE_ERROR); false when the timeout ran out first. A status no
// document gives is not final: it is polled until the timeout like UNPARSE.
bool Pipeline::wait_for_processing() {
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
bool Pipeline::poll(Item& item) {
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
    if (!now || (now->video_status == video.video_status && now->cause == video.cause))
      return false;
    video.video_status = now->video_status;
    video.cause = now->cause;
    journal_.video_status(out, video);
  } catch (const Error&) {
    return false;  // keep polling until the timeout: MAVI may be busy
  }
  if (!is_final(video.video_status))
    return false;
  emit(BatchEventKind::processed, out);
  return true;
}

}  // namespace mavi::detail::batch

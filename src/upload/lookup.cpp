#include "upload/lookup.hpp"

#include <utility>

namespace mavi::detail {

ResendGuard::ResendGuard(std::string name, Find find, LogFn log,
                         std::chrono::system_clock::time_point first_attempt,
                         std::chrono::seconds clock_skew)
    : name_(std::move(name)),
      find_(std::move(find)),
      log_(std::move(log)),
      first_attempt_(first_attempt),
      clock_skew_(clock_skew) {}

void ResendGuard::after_retryable_failure(Errc kind, bool whole_body_sent) {
  if (kind != Errc::rate_limited && whole_body_sent)
    pending_ = true;
}

std::optional<VideoRecord> ResendGuard::look_up() {
  const auto now = std::chrono::system_clock::now();
  const TimeWindow window{first_attempt_ - clock_skew_, now + clock_skew_};
  log_("looking for " + name_ + " uploaded since the first attempt, before retrying");
  std::optional<VideoRecord> found = find_(window);
  if (found) {
    log_("found " + name_ + " already uploaded as " + found->video_no + "; not uploading again");
  } else {
    pending_ = false;
  }
  return found;
}

}  // namespace mavi::detail

#include "sandbox/fault_injector.hpp"

#include <cmath>

namespace mavi::cli::sandbox {

FaultInjector::FaultInjector(const FaultOptions& options)
    : options_(options),
      random_(options.seed),
      uploads_(options.rate_limit_per_minute, options.rate_window),
      listings_(options.list_per_second, std::chrono::seconds(1)),
      statuses_(options.status_per_second, std::chrono::seconds(1)),
      v2_windows_{{options.v2_per_second, std::chrono::seconds(1)},
                  {options.v2_per_second, std::chrono::seconds(1)},
                  {options.v2_per_second, std::chrono::seconds(1)},
                  {options.v2_per_second, std::chrono::seconds(1)}} {}

namespace {

// Where a kind of request is counted: v2's kinds under the classic kind they resemble.
Limited counted_as(Limited kind) {
  switch (kind) {
    case Limited::upload:
    case Limited::list:
    case Limited::status:
      return kind;
    case Limited::v2_upload:
    case Limited::v2_signed_url:
      return Limited::upload;
    case Limited::v2_metadata:
    case Limited::v2_delete:
      return Limited::status;
  }
  return kind;
}

}  // namespace

std::optional<int> RateWindow::admit(std::chrono::steady_clock::time_point now) {
  if (limit_ <= 0)
    return std::nullopt;
  while (!admitted_.empty() && now - admitted_.front() >= window_)
    admitted_.pop_front();
  if (static_cast<int>(admitted_.size()) < limit_) {
    admitted_.push_back(now);
    return std::nullopt;
  }
  const double seconds = std::chrono::duration<double>(admitted_.front() + window_ - now).count();
  return std::max(1, static_cast<int>(std::ceil(seconds)));
}

UploadFault FaultInjector::decide_upload() {
  std::lock_guard lock(mutex_);
  // Always draw the same number of values so one fault's rate does not shift the others.
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double drop = unit(random_);
  const double fail = unit(random_);
  const double lost = unit(random_);
  const double which = unit(random_);
  const double stall = unit(random_);
  if (drop < options_.drop_rate)
    return UploadFault::drop;
  if (stall < options_.stall_rate)
    return UploadFault::stall;
  if (fail < options_.fail_rate)
    return which < 0.5 ? UploadFault::fail_500 : UploadFault::fail_503;
  if (lost < options_.lost_reply_rate)
    return UploadFault::lost_reply;
  return UploadFault::none;
}

bool FaultInjector::refuses_upload() {
  if (options_.refuse_after < 0)
    return false;
  std::lock_guard lock(mutex_);
  if (uploads_taken_ >= options_.refuse_after)
    return true;
  ++uploads_taken_;
  return false;
}

std::optional<int> FaultInjector::admit_upload(std::chrono::steady_clock::time_point now) {
  return admit(Limited::upload, now);
}

std::optional<int> FaultInjector::admit(Limited kind, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  const Limited counted = counted_as(kind);
  const bool own_v2_window = counted != kind && options_.v2_per_second > 0;
  RateWindow& window =
      own_v2_window ? v2_windows_[static_cast<int>(kind) - static_cast<int>(Limited::v2_upload)]
      : counted == Limited::upload ? uploads_
      : counted == Limited::list   ? listings_
                                   : statuses_;
  auto wait = window.admit(now);
  if (wait)
    ++refused_[static_cast<int>(counted)];
  return wait;
}

int FaultInjector::rate_limited_answers(Limited kind) const {
  std::lock_guard lock(mutex_);
  return refused_[static_cast<int>(kind)];
}

}  // namespace mavi::cli::sandbox

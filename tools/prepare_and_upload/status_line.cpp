#include "prepare_and_upload/status_line.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/output.hpp"
#include "prepare_and_upload/outage_text.hpp"
#include "prepare_and_upload/upload_options.hpp"

namespace mavi::cli {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(200);

std::string eta_text(double seconds) {
  if (!(seconds >= 0) || seconds > 360000)
    return "--:--";
  const auto s = static_cast<long>(std::lround(seconds));
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

}  // namespace

StatusLine::StatusLine(std::size_t total_files, bool quiet)
    : enabled_(!quiet && isatty(STDERR_FILENO) == 1), total_(total_files) {}

StatusLine::~StatusLine() {
  clear();
}

void StatusLine::on_event(const BatchEvent& event) {
  if (!enabled_)
    return;
  std::lock_guard lock(mutex_);
  switch (event.kind) {
    case BatchEventKind::prepared:
      ++prepared_;
      preparing_.clear();
      break;
    case BatchEventKind::uploaded:
      uploading_.clear();
      break;
    case BatchEventKind::finished:
      count_finished_locked(event.file.status);
      break;
    case BatchEventKind::checked:
    case BatchEventKind::preparing:
    case BatchEventKind::uploading:
    case BatchEventKind::skipped:  // "ends here": counted on `finished`, by its status
    case BatchEventKind::failed:
    case BatchEventKind::processed:
    case BatchEventKind::outside_shard:
      break;
  }
  draw_locked(true);
}

// Once per file, on `finished`: the counts by the file's outcome in this run.
void StatusLine::count_finished_locked(FileStatus status) {
  ++finished_;
  switch (status) {
    case FileStatus::uploaded:
      ++uploaded_;
      break;
    case FileStatus::uploaded_earlier:
    case FileStatus::duplicate:
    case FileStatus::rejected:
      ++skipped_;
      break;
    case FileStatus::failed:
    case FileStatus::cancelled:
      ++failed_;
      break;
    case FileStatus::prepared:  // counted as prepared on its `prepared` event
    case FileStatus::ok:
    case FileStatus::copied:
    case FileStatus::planned:
      break;
  }
}

void StatusLine::on_prepare(const std::filesystem::path& file, double done_s, double total_s,
                            double speed) {
  if (!enabled_)
    return;
  std::lock_guard lock(mutex_);
  char text[64];
  const double fraction = total_s > 0 ? std::clamp(done_s / total_s, 0.0, 1.0) : 0.0;
  std::snprintf(text, sizeof text, " %3d%% %.1fx ETA %s", static_cast<int>(fraction * 100), speed,
                eta_text(speed > 0 ? (total_s - done_s) / speed : -1).c_str());
  const bool first = preparing_.empty();  // a new file: shown at once, then a few times a second
  preparing_ = "preparing " + cli::printable(file.filename().string()) + text;
  draw_locked(first);
}

void StatusLine::on_upload(const std::filesystem::path& file, const UploadProgress& p) {
  if (!enabled_)
    return;
  std::lock_guard lock(mutex_);
  const bool first = uploading_.empty();
  uploading_ = "uploading " + cli::printable(file.filename().string()) + " ";
  // Every file not settled yet, this one included: at the pace in force, the batch's ETA (an
  // upper bound: some may turn out not to need an upload).
  const std::size_t uploads_left = total_ > finished_ ? total_ - finished_ : 1;
  if (p.waiting_for_slot && p.rate_limited) {
    uploading_ += "(" + rate_limited_text(p.uploads_per_minute, p.slot_in, uploads_left) + ")";
  } else if (p.waiting_for_slot && p.slot_in >= std::chrono::seconds(1)) {
    uploading_ += "(next upload slot in " +
                  duration_text(p.slot_in + std::chrono::milliseconds(999)) + ", " +
                  pace_text(p.uploads_per_minute);
    if (p.uploads_per_minute > 0) {
      const auto eta = std::chrono::seconds(
          static_cast<long long>(static_cast<double>(uploads_left) * 60.0 / p.uploads_per_minute));
      uploading_ += ", " + std::to_string(uploads_left) + " to go, ETA " + duration_text(eta);
    }
    uploading_ += ")";
  } else if (p.total_bytes == 0) {
    uploading_ += "(waiting for an upload slot)";
  } else {
    char text[64];
    const double left = static_cast<double>(p.total_bytes - std::min(p.bytes_sent, p.total_bytes));
    std::snprintf(text, sizeof text, "%3.0f%% ",
                  100.0 * static_cast<double>(p.bytes_sent) / static_cast<double>(p.total_bytes));
    uploading_ += text + human_bytes(p.bytes_per_second) + "/s ETA " +
                  eta_text(p.bytes_per_second > 0 ? left / p.bytes_per_second : -1);
  }
  if (p.attempt > 1)
    uploading_ += " (attempt " + std::to_string(p.attempt) + ")";
  draw_locked(first);
}

void StatusLine::on_service(const ServiceEvent& event) {
  if (!enabled_)
    return;
  std::lock_guard lock(mutex_);
  if (event.kind == ServiceEvent::Kind::rate_limited)
    return;  // the upload's own part of the line says it, counting down
  service_ = event.kind == ServiceEvent::Kind::restored ? "" : service_event_line(event);
  draw_locked(true);
}

void StatusLine::print(const std::string& text) {
  std::lock_guard lock(mutex_);
  erase_locked();
  std::cout << text << std::flush;
  draw_locked(true);
}

void StatusLine::clear() {
  std::lock_guard lock(mutex_);
  erase_locked();
}

void StatusLine::draw_locked(bool force) {
  if (!enabled_)
    return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < kRedrawInterval)
    return;
  last_draw_ = now;
  std::string line = "[" + std::to_string(finished_) + "/" + std::to_string(total_) + "] " +
                     std::to_string(prepared_) + " prepared, " + std::to_string(uploaded_) +
                     " uploaded, " + std::to_string(skipped_) + " skipped, " +
                     std::to_string(failed_) + " failed";
  if (!preparing_.empty())
    line += " | " + preparing_;
  if (!service_.empty())
    line += " | " + service_;
  else if (!uploading_.empty())
    line += " | " + uploading_;
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void StatusLine::erase_locked() {
  if (!shown_)
    return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace mavi::cli

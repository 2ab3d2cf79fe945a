#include "sandbox/video_store.hpp"

#include <chrono>
#include <cstdio>

namespace mavi::cli::sandbox {

std::string_view to_string(VideoStatus status) noexcept {
  switch (status) {
    case VideoStatus::unparse:
      return "UNPARSE";
    case VideoStatus::parse:
      return "PARSE";
    case VideoStatus::fail:
      return "FAIL";
    case VideoStatus::failed:
      return "FAILED";
    case VideoStatus::parse_error:
      return "PARSE_ERROR";
    case VideoStatus::waiting:
      return "WAITING";
    case VideoStatus::uploading:
      return "UPLOADING";
    case VideoStatus::success:
      return "SUCCESS";
  }
  return "UNPARSE";
}

std::optional<VideoStatus> parse_video_status(std::string_view text) noexcept {
  if (text == "UNPARSE")
    return VideoStatus::unparse;
  if (text == "PARSE")
    return VideoStatus::parse;
  if (text == "FAIL")
    return VideoStatus::fail;
  if (text == "FAILED")
    return VideoStatus::failed;
  if (text == "PARSE_ERROR")
    return VideoStatus::parse_error;
  if (text == "WAITING")
    return VideoStatus::waiting;
  if (text == "UPLOADING")
    return VideoStatus::uploading;
  if (text == "SUCCESS")
    return VideoStatus::success;
  return std::nullopt;
}

std::string VideoStore::next_video_no() {
  // The process start time keeps numbers from two sandbox runs apart; the counter keeps them
  // unique within one.
  static const auto start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  std::uint64_t n;
  {
    std::lock_guard lock(mutex_);
    n = ++counter_;
  }
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "VI%013lld%06llu", static_cast<long long>(start_ms),
                static_cast<unsigned long long>(n % 1'000'000));
  return buffer;
}

std::string VideoStore::next_asset_id() {
  std::string id = next_video_no();
  return "re_" + id.substr(2);
}

bool VideoStore::replace(const StoredVideo& video) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(video.video_no);
  if (it == index_.end())
    return false;
  videos_[it->second] = video;
  return true;
}

void VideoStore::add(StoredVideo video) {
  std::lock_guard lock(mutex_);
  index_[video.video_no] = videos_.size();
  videos_.push_back(std::move(video));
}

std::optional<StoredVideo> VideoStore::find(const std::string& video_no) const {
  std::lock_guard lock(mutex_);
  auto it = index_.find(video_no);
  if (it == index_.end())
    return std::nullopt;
  return videos_[it->second];
}

bool VideoStore::set_status(const std::string& video_no, VideoStatus status) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(video_no);
  if (it == index_.end())
    return false;
  videos_[it->second].status = status;
  return true;
}

bool VideoStore::remove(const std::string& video_no) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(video_no);
  if (it == index_.end())
    return false;
  // A deleted video's bytes go too: a sandbox run for days must not fill its disk with them.
  const std::filesystem::path stored = videos_[it->second].stored_path;
  videos_.erase(videos_.begin() + static_cast<std::ptrdiff_t>(it->second));
  if (!stored.empty()) {
    std::error_code ignored;  // already gone: nothing to free
    std::filesystem::remove(stored, ignored);
  }
  // Positions after the removed one moved down by one.
  index_.clear();
  for (std::size_t i = 0; i < videos_.size(); ++i)
    index_[videos_[i].video_no] = i;
  return true;
}

std::vector<StoredVideo> VideoStore::list(const VideoQuery& query) const {
  std::lock_guard lock(mutex_);
  std::vector<StoredVideo> out;
  for (const auto& v : videos_) {
    if (query.start_time_ms && v.upload_time_ms < *query.start_time_ms)
      continue;
    if (query.end_time_ms && v.upload_time_ms > *query.end_time_ms)
      continue;
    if (query.status && v.status != *query.status)
      continue;
    if (query.api && v.api != *query.api)
      continue;
    if (query.unique_id && v.unique_id != *query.unique_id)
      continue;
    if (query.video_name && v.video_name != *query.video_name)
      continue;
    out.push_back(v);
  }
  return out;
}

std::size_t VideoStore::size() const {
  std::lock_guard lock(mutex_);
  return videos_.size();
}

}  // namespace mavi::cli::sandbox

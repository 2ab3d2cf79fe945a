// VideoStore: the sandbox's thread-safe registry of uploaded videos (in memory only).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mavi::cli::sandbox {

// The words MAVI's pages give: processing ends PARSE, or FAIL (classic callbacks), FAILED
// (v1 list_videos, the upload FAQ) or PARSE_ERROR (the code page's VideoStatus enum). v2's
// upload_status: WAITING (a signed URL's asset still empty), UPLOADING, SUCCESS, FAILED.
enum class VideoStatus { unparse, parse, fail, failed, parse_error, waiting, uploading, success };

// "UNPARSE", "PARSE", "FAIL", "FAILED", "PARSE_ERROR", "WAITING", ...: the strings MAVI uses.
std::string_view to_string(VideoStatus status) noexcept;
std::optional<VideoStatus> parse_video_status(std::string_view text) noexcept;

enum class ApiGeneration { classic, v1, v2 };

struct StoredVideo {
  std::string video_no;
  std::string video_name;  // the client's filename, as sent (or the server's own: --rename)
  VideoStatus status = VideoStatus::unparse;
  std::int64_t upload_time_ms = 0;
  double duration_seconds = 0;
  std::uintmax_t size_bytes = 0;
  std::string sha256;  // lower-case hex of the stored bytes
  std::filesystem::path stored_path;
  ApiGeneration api = ApiGeneration::classic;
  bool accepted = false;  // libmavi's verdict on the stored file: decides PARSE or FAIL
  std::string cause;      // why processing failed (listed once it has)
  std::string callback_uri;
  std::string source_url;  // an upload by URL: where the sandbox fetched it from
  // v1 only: the scope and the optional form fields, as sent.
  std::string unique_id = "default";
  std::map<std::string, std::string> fields;
  std::vector<std::string> tags;
};

struct VideoQuery {
  std::optional<std::int64_t> start_time_ms;  // inclusive
  std::optional<std::int64_t> end_time_ms;    // inclusive
  std::optional<VideoStatus> status;
  std::optional<ApiGeneration> api;
  std::optional<std::string> unique_id;
  std::optional<std::string> video_name;  // exact match
};

class VideoStore {
 public:
  // videoNo values are "VI" + digits, like MAVI's, unique within this process.
  std::string next_video_no();

  void add(StoredVideo video);
  std::optional<StoredVideo> find(const std::string& video_no) const;
  // v2 asset ids: "re_" + digits, like MAVI's.
  std::string next_asset_id();
  // Returns false when there is no such video.
  bool set_status(const std::string& video_no, VideoStatus status);
  // Replaces the record with the same video_no; false when there is none.
  bool replace(const StoredVideo& video);
  // Removes a video (deleted by a client); false when there is none.
  bool remove(const std::string& video_no);
  // Matching videos in upload order (oldest first).
  std::vector<StoredVideo> list(const VideoQuery& query = {}) const;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<StoredVideo> videos_;
  std::map<std::string, std::size_t> index_;
  std::uint64_t counter_ = 0;
};

}  // namespace mavi::cli::sandbox

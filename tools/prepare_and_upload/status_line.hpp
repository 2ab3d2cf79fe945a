// The batch's one-line status on a terminal (stderr): counts so far, the file being prepared
// and the file being uploaded, redrawn at most a few times a second. Result lines go through
// it so they never mix with the status line.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

#include "mavi/batch.hpp"

namespace mavi::cli {

class StatusLine {
 public:
  // Shown only when stderr is a terminal and not `quiet`. A file counts as finished on its
  // `finished` event, by its FileStatus.
  StatusLine(std::size_t total_files, bool quiet);
  ~StatusLine();
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  void on_event(const BatchEvent& event);
  void on_prepare(const std::filesystem::path& file, double done_s, double total_s, double speed);
  void on_upload(const std::filesystem::path& file, const UploadProgress& progress);
  void on_service(const ServiceEvent& event);
  // Prints `text` (a whole line, or several) on stdout with the status line out of the way.
  void print(const std::string& text);
  void clear();

 private:
  void count_finished_locked(FileStatus status);
  void draw_locked(bool force);
  void erase_locked();

  bool enabled_;
  std::size_t total_;
  std::size_t finished_ = 0, uploaded_ = 0, skipped_ = 0, failed_ = 0, prepared_ = 0;
  std::string preparing_, uploading_;
  std::string service_;  // "MAVI unreachable since ..., next try in ..." during an outage
  std::chrono::steady_clock::time_point last_draw_{};
  bool shown_ = false;
  std::mutex mutex_;
};

}  // namespace mavi::cli

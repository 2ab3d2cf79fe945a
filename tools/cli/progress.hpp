// A one-line "checked N/M" counter on stderr, shown only on a terminal.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

namespace mavi::cli {

class Progress {
 public:
  // `verb` names what is counted ("checked"). Disabled when `quiet` or stderr is no terminal.
  Progress(std::string verb, std::size_t total, bool quiet);
  ~Progress();  // erases the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // One more item done; safe to call from several threads.
  void advance();
  // Erases the line now (before printing results).
  void finish();
  bool enabled() const noexcept { return enabled_; }

 private:
  std::string verb_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  bool shown_ = false;
  std::mutex mutex_;
};

}  // namespace mavi::cli

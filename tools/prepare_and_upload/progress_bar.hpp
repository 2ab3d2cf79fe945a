// The per-file progress bar of mavi-prepare-and-upload: percent, speed, ETA, on stderr.
#pragma once

#include <string>

namespace mavi::prepare_tool {

class ProgressBar {
 public:
  // Shown only when stderr is a terminal and not `quiet`.
  explicit ProgressBar(bool quiet);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // "[#######.......]  45%  3.1x  ETA 0:12  name" (total 0: no percent nor ETA).
  void update(const std::string& name, double done_s, double total_s, double speed);
  // Erases the bar (before a result line is printed).
  void clear();
  bool enabled() const noexcept { return enabled_; }

 private:
  bool enabled_;
  bool shown_ = false;
};

}  // namespace mavi::prepare_tool

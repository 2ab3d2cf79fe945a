#include "prepare_and_upload/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mavi::prepare_tool {

ProgressBar::ProgressBar(bool quiet) : enabled_(!quiet && isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  clear();
}

void ProgressBar::update(const std::string& name, double done_s, double total_s, double speed) {
  if (!enabled_)
    return;
  constexpr int width = 30;
  const double fraction = total_s > 0 ? std::clamp(done_s / total_s, 0.0, 1.0) : 0.0;
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(width - filled), '.');
  char eta[32] = "--:--";
  if (total_s > 0 && speed > 0) {
    const auto left = static_cast<long>(std::lround((total_s - done_s) / speed));
    std::snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
  }
  std::fprintf(stderr, "\r\033[K[%s] %3d%%  %.1fx  ETA %s  %s", bar.c_str(),
               static_cast<int>(fraction * 100), speed, eta, name.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressBar::clear() {
  if (!shown_)
    return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace mavi::prepare_tool

#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace mavi::cli {

Progress::Progress(std::string verb, std::size_t total, bool quiet)
    : verb_(std::move(verb)), total_(total), enabled_(!quiet && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  finish();
}

void Progress::advance() {
  std::lock_guard lock(mutex_);
  ++done_;
  if (!enabled_)
    return;
  std::fprintf(stderr, "\r%s %zu/%zu", verb_.c_str(), done_, total_);
  std::fflush(stderr);
  shown_ = true;
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (!shown_)
    return;
  std::fputs("\r\033[K", stderr);  // back to column 0, erase to end of line
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace mavi::cli

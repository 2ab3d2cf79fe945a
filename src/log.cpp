#include "mavi/log.hpp"

#include <atomic>

extern "C" {
#include <libavutil/log.h>
}

namespace mavi {

namespace {
std::atomic<LogLevel> current_level{LogLevel::info};

int to_av_level(LogLevel level) {
  switch (level) {
    case LogLevel::quiet:
      return AV_LOG_QUIET;
    case LogLevel::error:
      return AV_LOG_ERROR;
    case LogLevel::warning:
      return AV_LOG_WARNING;
    case LogLevel::info:
      return AV_LOG_INFO;
    case LogLevel::debug:
      return AV_LOG_DEBUG;
  }
  return AV_LOG_INFO;
}
}  // namespace

void set_log_level(LogLevel level) noexcept {
  current_level = level;
  av_log_set_level(to_av_level(level));
}

LogLevel log_level() noexcept {
  return current_level;
}

}  // namespace mavi

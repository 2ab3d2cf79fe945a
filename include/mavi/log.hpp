// The one logging setting of libmavi: how much FFmpeg (and libmavi) may print on stderr.
#pragma once

namespace mavi {

enum class LogLevel { quiet, error, warning, info, debug };

// Sets FFmpeg's log level. libmavi never changes it on its own; programs call this once.
void set_log_level(LogLevel level) noexcept;
LogLevel log_level() noexcept;

}  // namespace mavi

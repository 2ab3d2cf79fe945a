#include "ffmpeg/av_error.hpp"

extern "C" {
#include <libavutil/error.h>
}

namespace mavi::detail::ffmpeg {

std::string error_text(int averror) {
  char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(averror, buffer, sizeof buffer) < 0) {
    return "FFmpeg error " + std::to_string(averror);
  }
  return buffer;
}

void throw_error(Errc kind, std::string_view operation, std::string_view subject, int averror) {
  std::string message(operation);
  message += ' ';
  message += subject;
  message += ": ";
  message += error_text(averror);
  throw Error(kind, std::move(message), averror);
}

}  // namespace mavi::detail::ffmpeg

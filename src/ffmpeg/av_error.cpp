#include "ffmpeg/av_error.hpp"

#include <cerrno>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/error.h>
}

namespace mavi::detail::ffmpeg {

bool is_end_of_input(AVFormatContext* in, int read_result) noexcept {
  if (read_result == AVERROR_EOF)
    return true;
  return read_result < 0 && read_result != AVERROR_EXIT && in != nullptr && in->pb != nullptr &&
         avio_feof(in->pb) != 0;
}

std::string error_text(int averror) {
  char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(averror, buffer, sizeof buffer) < 0) {
    return "FFmpeg error " + std::to_string(averror);
  }
  return buffer;
}

Errc classify(int averror, Errc fallback) noexcept {
  if (averror == AVERROR(ENOSPC) || averror == AVERROR(EFBIG) || averror == AVERROR(EDQUOT)) {
    return Errc::disk_full;
  }
  if (averror == AVERROR(EACCES) || averror == AVERROR(EPERM) || averror == AVERROR(EROFS)) {
    return Errc::permission_denied;
  }
  if (averror == AVERROR(ENOENT))
    return Errc::not_found;
  if (averror == AVERROR(EIO))
    return Errc::io;
  if (averror == AVERROR_EXIT)
    return Errc::cancelled;
  return fallback;
}

void throw_error(int averror, Errc kind, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += error_text(averror);
  throw Error(kind, std::move(message), averror);
}

void ensure(int averror, Errc fallback, std::string_view what) {
  if (averror < 0)
    throw_error(averror, classify(averror, fallback), what);
}

}  // namespace mavi::detail::ffmpeg

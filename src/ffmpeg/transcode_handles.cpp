#include "ffmpeg/transcode_handles.hpp"

#include <cerrno>

#include "ffmpeg/av_error.hpp"

namespace mavi::detail::ffmpeg {

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

void ensure(int averror, Errc fallback, const std::string& what) {
  if (averror >= 0)
    return;
  throw Error(classify(averror, fallback), what + ": " + error_text(averror), averror);
}

}  // namespace mavi::detail::ffmpeg

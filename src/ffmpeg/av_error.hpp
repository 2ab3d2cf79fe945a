// FFmpeg error codes turned into text and into mavi::Error: the one place that does it.
#pragma once

#include <string>
#include <string_view>

#include "mavi/error.hpp"

struct AVFormatContext;

namespace mavi::detail::ffmpeg {

// True when av_read_frame's `read_result` means the input has ended: AVERROR_EOF, or any error
// once the file's end was reached. Some demuxers (RoQ, for one) report a clean end as an I/O
// error; ffmpeg reads every error as the end of the input, this only those at the file's end.
bool is_end_of_input(AVFormatContext* in, int read_result) noexcept;

// av_strerror's text for an AVERROR code.
std::string error_text(int averror);

// The Errc an FFmpeg error code means while writing or transcoding: ENOSPC/EFBIG/EDQUOT
// disk_full, EACCES/EPERM/EROFS permission_denied, ENOENT not_found, EIO io, AVERROR_EXIT
// cancelled; `fallback` otherwise.
Errc classify(int averror, Errc fallback) noexcept;

// Throws Error(kind, "<what>: <FFmpeg's text>", averror), with `kind` as given.
[[noreturn]] void throw_error(int averror, Errc kind, std::string_view what);

// When averror is negative, throws Error(classify(averror, fallback), "<what>: <FFmpeg's text>",
// averror).
void ensure(int averror, Errc fallback, std::string_view what);

}  // namespace mavi::detail::ffmpeg

// FFmpeg error codes turned into text and into mavi::Error.
#pragma once

#include <string>
#include <string_view>

#include "mavi/error.hpp"

namespace mavi::detail::ffmpeg {

// av_strerror's text for an AVERROR code.
std::string error_text(int averror);

// Error(kind, "<operation> <subject>: <FFmpeg's text>", averror).
[[noreturn]] void throw_error(Errc kind, std::string_view operation, std::string_view subject,
                              int averror);

}  // namespace mavi::detail::ffmpeg

// Private: decode every audio and video stream of an opened file to find hidden corruption.
#pragma once

#include <chrono>

#include "mavi/cancel.hpp"
#include "mavi/media_info.hpp"

struct AVFormatContext;

namespace mavi::detail {

// Reads from the current position to the end (or until time_limit runs out), decoding every
// decodable audio/video stream that is not cover art. Never throws for corrupt data: errors
// are counted. Throws Error(Errc::cancelled) once `cancel` is requested.
DeepCheck deep_check(AVFormatContext& format, std::chrono::milliseconds time_limit,
                     const CancelToken& cancel);

}  // namespace mavi::detail

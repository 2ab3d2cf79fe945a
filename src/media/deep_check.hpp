// Private: decode every audio and video stream of an opened file to find hidden corruption.
#pragma once

#include <chrono>

#include "mavi/media_info.hpp"

struct AVFormatContext;

namespace mavi {

// Reads from the current position to the end (or until time_limit runs out), decoding every
// decodable audio/video stream that is not cover art. Never throws for corrupt data: errors
// are counted. Throws Error(Errc::cancelled) once mavi::request_cancel() was called.
DeepCheck deep_check(AVFormatContext& format, std::chrono::milliseconds time_limit);

}  // namespace mavi

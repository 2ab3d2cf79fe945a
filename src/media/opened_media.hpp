// A file probed and left open, so that preparing it does not read and analyse its head a second
// time: for a 1080p MPEG-TS, avformat_find_stream_info costs about as much as the rest of a
// remux's start. Internal to libmavi (the batch pipeline uses it); the public API reopens.
#pragma once

#include <filesystem>

#include "ffmpeg/handles.hpp"
#include "mavi/check.hpp"
#include "mavi/prepare.hpp"

namespace mavi::detail {

struct OpenedMedia {
  MediaInfo info;
  // Where avformat_find_stream_info left it (the packets it read are still buffered, so reading
  // starts from the beginning); empty after a deep probe, which read further.
  detail::ffmpeg::InputFormat input;
};

// probe() that keeps the file open. Throws as probe() does.
OpenedMedia probe_open(const std::filesystem::path& path, const ProbeOptions& options = {});

// check() that hands over the opened file in `opened` when the probe succeeded.
CheckResult check_open(const std::filesystem::path& path, const ProbeOptions& probe_options,
                       const Rules& rules, detail::ffmpeg::InputFormat& opened);

// prepare() reading from `opened` (from probe_open() on `input`); an empty `opened` opens `input`.
PrepareResult prepare_opened(const std::filesystem::path& input, detail::ffmpeg::InputFormat opened,
                             const std::filesystem::path& output, const Plan& plan,
                             const PrepareOptions& options, const PrepareProgress& progress);

}  // namespace mavi::detail

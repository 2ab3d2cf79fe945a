// A file probed and left open, so that preparing it does not read and analyse its head a second
// time: for a 1080p MPEG-TS, avformat_find_stream_info costs about as much as the rest of a
// remux's start. Behind the public handle OpenedFile (mavi/check.hpp).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "ffmpeg/handles.hpp"
#include "mavi/check.hpp"
#include "mavi/prepare.hpp"

namespace mavi {

struct OpenedFile::Impl {
  std::mutex mutex;  // copies of a CheckResult share the handle
  // Where avformat_find_stream_info left it (the packets it read are still buffered, so reading
  // starts from the beginning); empty once taken.
  detail::ffmpeg::InputFormat input;
};

namespace detail {

struct OpenedMedia {
  MediaInfo info;
  // Empty after a deep probe, which read further.
  ffmpeg::InputFormat input;
};

// probe() that keeps the file open. Throws as probe() does.
OpenedMedia probe_open(const std::filesystem::path& path, const ProbeOptions& options = {});

// The demuxer out of a check's handle; empty when there is none or it was taken already.
ffmpeg::InputFormat take_input(const std::shared_ptr<OpenedFile>& opened);

// prepare() reading from `opened` (from probe_open() on `input`); an empty `opened` opens `input`.
// `attempt`: how many fit-to-size encodes came out over the limit before this one.
PrepareResult prepare_opened(const std::filesystem::path& input, ffmpeg::InputFormat opened,
                             const std::filesystem::path& output, const Plan& plan,
                             const PrepareOptions& options, const PrepareProgress& progress,
                             int attempt = 0);

}  // namespace detail
}  // namespace mavi

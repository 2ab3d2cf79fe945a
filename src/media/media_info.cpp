#include "mavi/media_info.hpp"

namespace mavi {

namespace {

// The default stream of a kind, else the first one; `accept` filters candidates.
template <typename Accept>
const StreamInfo* pick_stream(const std::vector<StreamInfo>& streams, Accept accept) {
  const StreamInfo* first = nullptr;
  for (const auto& stream : streams) {
    if (!accept(stream))
      continue;
    if (stream.is_default)
      return &stream;
    if (first == nullptr)
      first = &stream;
  }
  return first;
}

}  // namespace

const StreamInfo* MediaInfo::primary_video() const noexcept {
  return pick_stream(streams, [](const StreamInfo& s) {
    return s.type == StreamType::video && s.video && !s.video->attached_picture;
  });
}

const StreamInfo* MediaInfo::primary_audio() const noexcept {
  return pick_stream(streams, [](const StreamInfo& s) { return s.type == StreamType::audio; });
}

std::string_view to_string(StreamType type) noexcept {
  switch (type) {
    case StreamType::video:
      return "video";
    case StreamType::audio:
      return "audio";
    case StreamType::subtitle:
      return "subtitle";
    case StreamType::data:
      return "data";
    case StreamType::attachment:
      return "attachment";
    case StreamType::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view to_string(HdrKind hdr) noexcept {
  switch (hdr) {
    case HdrKind::none:
      return "none";
    case HdrKind::pq:
      return "pq";
    case HdrKind::hlg:
      return "hlg";
  }
  return "none";
}

}  // namespace mavi

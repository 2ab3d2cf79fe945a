// MediaInfo: everything probe() learns about a file, as plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mavi {

using Seconds = std::chrono::duration<double>;

struct Rational {
  int num = 0;
  int den = 1;
  bool valid() const noexcept { return num > 0 && den > 0; }
  double value() const noexcept { return valid() ? static_cast<double>(num) / den : 0.0; }
  friend bool operator==(const Rational&, const Rational&) = default;
};

enum class StreamType { video, audio, subtitle, data, attachment, unknown };

enum class HdrKind { none, pq, hlg };

struct VideoInfo {
  int width = 0;
  int height = 0;
  Rational sample_aspect_ratio;    // invalid (0/1) when unknown
  Rational display_aspect_ratio;   // invalid (0/1) when unknown
  std::string pixel_format;        // FFmpeg name: "yuv420p", "yuv420p10le", ...
  int bit_depth = 0;               // bits per component, 0 when unknown
  std::string chroma_subsampling;  // "4:2:0", "4:2:2", "4:4:4", "4:0:0" or "" when unknown
  Rational nominal_frame_rate;     // r_frame_rate: the container's base rate
  Rational average_frame_rate;     // avg_frame_rate: frames / duration
  bool variable_frame_rate = false;
  // Display matrix rotation, counterclockwise degrees in (-180, 180], as ffprobe's `rotation`
  // (90: the stored picture must be turned 90 degrees counterclockwise for display). 0: none.
  double rotation_degrees = 0;
  std::string color_transfer;   // "bt709", "smpte2084", "arib-std-b67", ... or ""
  std::string color_primaries;  // "bt709", "bt2020", ... or ""
  std::string color_space;      // "bt709", "bt2020nc", ... or ""
  HdrKind hdr = HdrKind::none;
  std::string field_order;  // "progressive", "tt", "bb", "tb", "bt" or "" when unknown
  bool interlaced = false;
  bool attached_picture = false;  // cover art: a still image, not a video
};

struct AudioInfo {
  int sample_rate = 0;
  int channels = 0;
  std::string channel_layout;  // "stereo", "5.1", ... or ""
  std::string language;        // from the stream's "language" tag, or ""
};

struct StreamInfo {
  int index = 0;
  StreamType type = StreamType::unknown;
  std::string codec;    // FFmpeg codec name: "h264", "hevc", "aac", ... ("none" if unknown)
  std::string profile;  // "High", "Main 10", ... or ""
  int level = 0;        // codec level as FFmpeg reports it (e.g. 40 for H.264 4.0), 0 if none
  std::int64_t bit_rate = 0;
  std::optional<Seconds> duration;
  bool is_default = false;  // disposition "default"
  std::optional<VideoInfo> video;
  std::optional<AudioInfo> audio;
};

// Result of the optional deep check: the streams were decoded to find what headers hide.
struct DeepCheck {
  bool completed = false;  // false when the time bound ran out first
  std::int64_t packets_read = 0;
  std::int64_t video_frames_decoded = 0;
  std::int64_t audio_frames_decoded = 0;
  std::int64_t decode_errors = 0;
  std::string first_error;  // FFmpeg's text for the first error, or ""
  Seconds elapsed{0};
  // How far into the file the packets read actually reach (from each stream's start): far
  // short of the declared duration means the file was cut. Unset when no packet had a time.
  std::optional<Seconds> read_until;
};

struct MediaInfo {
  std::filesystem::path path;
  std::uintmax_t size_bytes = 0;
  std::string format_name;       // demuxer short names: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
  std::string format_long_name;  // "QuickTime / MOV", ...
  std::optional<Seconds> duration;
  // FFmpeg only estimated `duration` from the bit rate (no timestamps to go by): it can be far
  // off, so preparation compares its output with the decoded duration instead.
  bool duration_estimated = false;
  std::int64_t bit_rate = 0;  // overall, bits per second, 0 when unknown
  std::vector<StreamInfo> streams;
  std::optional<DeepCheck> deep;

  // The stream MAVI would treat as the video: the default (else first) video stream that is
  // not an attached picture. nullptr when there is none.
  const StreamInfo* primary_video() const noexcept;
  // The default (else first) audio stream, nullptr when there is none.
  const StreamInfo* primary_audio() const noexcept;
};

std::string_view to_string(StreamType type) noexcept;
std::string_view to_string(HdrKind hdr) noexcept;

}  // namespace mavi

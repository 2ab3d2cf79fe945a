// The output streams of a preparation: which input stream each one takes, and for each either
// the copied parameters or the decoder, video filters and encoder that make it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

#include "ffmpeg/transcode_handles.hpp"
#include "mavi/plan.hpp"
#include "mavi/prepare.hpp"
#include "prepare/filters.hpp"

namespace mavi::detail {

// Per output stream state.
struct OutStream {
  const StreamPlan* plan = nullptr;
  AVStream* in = nullptr;
  AVStream* out = nullptr;
  int out_index = -1;
  int64_t in_offset = 0;         // subtracted from input timestamps (the file's start time)
  ffmpeg::CodecContext decoder;  // set when the stream is encoded
  ffmpeg::CodecContext encoder;
  // Video encode.
  VideoFilter filter;
  int64_t last_pts = AV_NOPTS_VALUE;     // last frame given to the encoder
  int64_t last_in_pts = AV_NOPTS_VALUE;  // last frame given to the filters
  int64_t frame_duration = 0;  // in encoder time base, for packets the encoder leaves at 0
  std::map<int64_t, int64_t> pending_durations;  // encoder pts -> that frame's duration
  // Timestamp derivation (input time base, rebased), video and copied streams alike.
  int64_t nominal_duration = 0;          // one frame at the stream's frame rate; 0 unknown
  int64_t last_in_duration = 0;          // of the last frame (or copied packet)
  int64_t last_gap = 0;                  // between the last two frames (or packets' DTS)
  int64_t shift = 0;                     // copied streams: added after a jump back in time
  int64_t first_pts = AV_NOPTS_VALUE;    // copied streams: the first packet's time
  int64_t played = 0;                    // copied streams: the packets' durations, summed
  int64_t last_in_dts = AV_NOPTS_VALUE;  // copied streams: the last decode time written
  // What went through, for the verification.
  int64_t frames = 0;           // video frames given to the filters, or video packets copied
  int64_t dropped = 0;          // frames the filters handed out twice, dropped (documented drops)
  int64_t bytes = 0;            // muxed into the output
  double end_s = 0;             // end of the last frame/packet, seconds on the output's timeline
  int64_t silence_samples = 0;  // audio encode: silence inserted for gaps in the input
  // Audio encode.
  ffmpeg::Swr swr;
  ffmpeg::AudioFifo fifo;
  int64_t next_audio_pts = AV_NOPTS_VALUE;

  bool is_video() const { return in->codecpar->codec_type == AVMEDIA_TYPE_VIDEO; }
};

struct OutputStreams {
  std::vector<OutStream> streams;  // in output order
  std::vector<int> map;            // input stream index -> output index, -1 when dropped
};

// Adds the plan's kept streams to `out`: video first, then audio, in the plan's order otherwise.
// Copied streams get the input's parameters (codec tag cleared, side data such as the display
// matrix carried over); encoded ones a decoder, for video the filter graph, and the encoder
// (libx264 or AAC) whose parameters the output stream takes. Throws mavi::Error:
// invalid_argument (the plan keeps nothing, or names a stream `input` lacks), unsupported,
// media, internal.
OutputStreams setup_streams(AVFormatContext* in, AVFormatContext* out,
                            const std::filesystem::path& input, const Plan& plan,
                            const PrepareOptions& options);

}  // namespace mavi::detail

// The writing side of a preparation, on the calling thread: video frames through the filter graph
// and libx264, audio through the resampler, an audio FIFO and the AAC encoder, copied packets as
// they are, everything into the MP4 muxer; progress reported on the way.
#pragma once

#include <chrono>
#include <vector>

#include "ffmpeg/handles.hpp"
#include "mavi/prepare.hpp"
#include "prepare/job.hpp"
#include "prepare/reader.hpp"
#include "prepare/stream_setup.hpp"

namespace mavi::detail {

class Writer {
 public:
  // `total_s`: the media seconds expected (0 when unknown), for progress.
  Writer(AVFormatContext* out, std::vector<OutStream>& streams, const PrepareProgress& progress,
         double total_s, Job& job);

  // Writes one item from the reader. Throws mavi::Error: cancelled (the job stopped or the
  // progress callback said so), io, disk_full, permission_denied, media, internal.
  void handle(Item& item);
  // Flushes the filters, the resamplers and the encoders into the muxer.
  void finish();

  double done_s() const { return done_s_; }

 private:
  using Clock = std::chrono::steady_clock;

  void write_copied(OutStream& os, AVPacket* pkt);
  void filter_video(OutStream& os, AVFrame* frame);
  void resample_audio(OutStream& os, AVFrame* frame);
  void encode(OutStream& os, AVFrame* frame);
  void mux(OutStream& os, AVPacket* pkt);
  void report();

  AVFormatContext* out_;
  std::vector<OutStream>& streams_;
  const PrepareProgress& progress_;
  double total_s_;
  Job& job_;
  Clock::time_point start_;
  Clock::time_point last_report_{};
  bool reported_ = false;
  double done_s_ = 0;
  ffmpeg::Frame filtered_;
  ffmpeg::Frame converted_;
  ffmpeg::Packet packet_;
};

}  // namespace mavi::detail

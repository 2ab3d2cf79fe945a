#include "prepare/reader.hpp"

#include "ffmpeg/av_error.hpp"
#include "mavi/error.hpp"

namespace mavi::detail {

using ffmpeg::ensure;

void read_and_decode(AVFormatContext* in, std::vector<OutStream>& streams,
                     const std::vector<int>& map, BoundedQueue<Item>& queue, Job& job) {
  ffmpeg::Packet pkt = ffmpeg::make_packet();
  auto push_frames = [&](OutStream& os) {
    for (;;) {
      ffmpeg::Frame frame = ffmpeg::make_frame();
      const int ret = avcodec_receive_frame(os.decoder.get(), frame.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return true;
      // A damaged frame is skipped, as players do; the verification judges the result.
      if (ret < 0)
        continue;
      if (!queue.push(Item{os.out_index, nullptr, std::move(frame)}))
        return false;
    }
  };
  while (!job.stopped()) {
    const int ret = av_read_frame(in, pkt.get());
    if (ffmpeg::is_end_of_input(in, ret))
      break;
    if (ret == AVERROR_EXIT)
      throw Error(Errc::cancelled, "preparation cancelled");
    ensure(ret, Errc::unreadable, "reading the input");
    const int idx = pkt->stream_index;
    const int out_index = idx >= 0 && idx < static_cast<int>(map.size()) ? map[idx] : -1;
    if (out_index < 0) {
      av_packet_unref(pkt.get());
      continue;
    }
    OutStream& os = streams[static_cast<size_t>(out_index)];
    if (!os.decoder) {
      ffmpeg::Packet copy = ffmpeg::make_packet();
      av_packet_move_ref(copy.get(), pkt.get());
      if (!queue.push(Item{out_index, std::move(copy), nullptr}))
        return;
      continue;
    }
    const int sent = avcodec_send_packet(os.decoder.get(), pkt.get());
    av_packet_unref(pkt.get());
    if (sent < 0 && sent != AVERROR(EAGAIN) && sent != AVERROR_INVALIDDATA)
      ensure(sent, Errc::media, "decoding the input");
    if (!push_frames(os))
      return;
  }
  if (job.stopped())
    return;
  for (auto& os : streams) {
    if (!os.decoder)
      continue;
    avcodec_send_packet(os.decoder.get(), nullptr);
    if (!push_frames(os))
      return;
  }
}

}  // namespace mavi::detail

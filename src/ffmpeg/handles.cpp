#include "ffmpeg/handles.hpp"

#include "mavi/error.hpp"

namespace mavi::detail::ffmpeg {

Frame make_frame() {
  Frame frame(av_frame_alloc());
  if (!frame)
    throw Error(Errc::internal, "av_frame_alloc: out of memory");
  return frame;
}

Packet make_packet() {
  Packet packet(av_packet_alloc());
  if (!packet)
    throw Error(Errc::internal, "av_packet_alloc: out of memory");
  return packet;
}

}  // namespace mavi::detail::ffmpeg

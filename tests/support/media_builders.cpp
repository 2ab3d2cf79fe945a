#include "support/media_builders.hpp"

#include <utility>

namespace mavi::test {

StreamInfo video_stream(std::string codec) {
  return video_stream(0, std::move(codec));
}

StreamInfo video_stream(int index, std::string codec, int width, int height) {
  StreamInfo s;
  s.index = index;
  s.type = StreamType::video;
  s.codec = std::move(codec);
  s.is_default = true;
  VideoInfo v;
  v.width = width;
  v.height = height;
  v.pixel_format = "yuv420p";
  v.bit_depth = 8;
  v.chroma_subsampling = "4:2:0";
  v.nominal_frame_rate = {30, 1};
  v.average_frame_rate = {30, 1};
  v.field_order = "progressive";
  s.video = v;
  return s;
}

StreamInfo audio_stream(std::string codec) {
  return audio_stream(1, std::move(codec));
}

StreamInfo audio_stream(int index, std::string codec, int channels) {
  StreamInfo s;
  s.index = index;
  s.type = StreamType::audio;
  s.codec = std::move(codec);
  const char* layout = channels == 1 ? "mono" : channels == 2 ? "stereo" : "";
  s.audio = AudioInfo{48000, channels, layout, "eng"};
  return s;
}

MediaInfo media(const std::string& path, const std::string& format_name,
                std::vector<StreamInfo> streams, double seconds) {
  MediaInfo m;
  m.path = path;
  m.format_name = format_name;
  m.size_bytes = 10'000'000;
  m.duration = Seconds(seconds);
  m.streams = std::move(streams);
  return m;
}

MediaInfo good_mp4() {
  return media("clip.mp4", "mov,mp4,m4a,3gp,3g2,mj2", {video_stream(), audio_stream()});
}

}  // namespace mavi::test

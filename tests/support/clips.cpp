#include "support/clips.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/run.hpp"

namespace mavi::test {

void ffmpeg(std::vector<std::string> args) {
  args.insert(args.begin(), {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"});
  RunOptions options;
  options.timeout = std::chrono::seconds(300);
  const RunResult r = run(args, options);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

void make_distinct_clips(const std::filesystem::path& dir, int count) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> args{
      "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", fixture("h264_aac.mp4").string()};
  for (int i = 0; i < count; ++i) {
    for (const char* a : {"-map", "0", "-c", "copy", "-metadata"})
      args.push_back(a);
    args.push_back("title=clip " + std::to_string(i));
    args.push_back((dir / ("clip" + std::to_string(i) + ".mp4")).string());
  }
  const RunResult r = run(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace mavi::test

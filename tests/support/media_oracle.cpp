#include "support/media_oracle.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "support/run.hpp"

namespace mavi::test {

std::vector<std::string> packet_checksums(const std::filesystem::path& path) {
  const auto r = run({"ffmpeg", "-v", "error", "-i", path.string(), "-map", "0:v:0", "-c", "copy",
                      "-f", "framemd5", "-"});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> sums;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    const auto size_at = line.rfind(',', line.rfind(',') - 1);
    sums.push_back(line.substr(size_at));
  }
  return sums;
}

std::vector<double> video_frame_times(const std::filesystem::path& path) {
  const auto r = run({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                      "frame=pts_time", "-of", "csv=p=0", path.string()});
  REQUIRE(r.exit_code == 0);
  std::vector<double> times;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty())
      times.push_back(line == "N/A" ? std::nan("") : std::stod(line));
  }
  return times;
}

}  // namespace mavi::test

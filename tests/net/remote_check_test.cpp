// mavi-check on http:// sources: the fixtures served by a static file server on 127.0.0.1
// (cpp-httplib's mount point, which answers range requests), the verdicts the same as on the
// local files, and a missing or non-media URL a rejected file with the reason.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "net/file_servers.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"

namespace {

using nlohmann::json;

std::filesystem::path fixtures() {
  return mavi::test::fixture("h264_aac.mp4").parent_path();
}

json check_json(const std::vector<std::string>& sources) {
  std::vector<std::string> argv{mavi::test::program("mavi-check").string(), "--json"};
  argv.insert(argv.end(), sources.begin(), sources.end());
  const mavi::test::RunResult r = mavi::test::run(argv);
  INFO(r.err);
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("mavi-check reads http:// sources and judges them as it judges the files") {
  const mavi::test::RangeFileServer server(fixtures());
  const std::vector<std::string> names = {"h264_aac.mp4", "h264_aac.flv", "mpeg4_mp3.avi",
                                          "h264_noaudio.mp4"};
  std::vector<std::string> urls, files;
  for (const auto& name : names) {
    urls.push_back(server.url(name));
    files.push_back(mavi::test::fixture(name).string());
  }
  urls[1] += "?token=abc";  // a query is not part of the name
  const json remote = check_json(urls);
  const json local = check_json(files);
  REQUIRE(remote["files"].size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO(names[i]);
    CHECK(remote["files"][i]["path"] == urls[i]);
    CHECK(remote["files"][i]["verdict"] == local["files"][i]["verdict"]);
    CHECK(remote["files"][i]["action"] == local["files"][i]["action"]);
    CHECK(remote["files"][i]["media"]["size_bytes"] == local["files"][i]["media"]["size_bytes"]);
  }
}

TEST_CASE("a URL that is missing or not a video is a rejected source with the reason") {
  const mavi::test::RangeFileServer server(fixtures());
  const json result = check_json({server.url("nope.mp4"), server.url("text_renamed.mp4")});
  REQUIRE(result["files"].size() == 2);
  CHECK(result["files"][0]["verdict"] == "rejected");
  CHECK(result["files"][0]["findings"].dump().find("404") != std::string::npos);
  CHECK(result["files"][1]["verdict"] == "rejected");
}

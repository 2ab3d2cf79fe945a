#include "support/stored_videos.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/run.hpp"

namespace mavi::test {

std::map<std::string, int> stored_videos(const SandboxProcess& sandbox,
                                         const std::string& api_key) {
  const RunResult r = run({"curl", "-sS", "-H", "Authorization: " + api_key,
                           sandbox.url() + "/api/serve/video/searchDB?page=1&pageSize=200"});
  INFO("searchDB: " << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json answer = nlohmann::json::parse(r.out);  // alive for the whole loop
  std::map<std::string, int> names;
  for (const auto& v : answer.at("data").at("videoData"))
    ++names[v.at("videoName").get<std::string>()];
  return names;
}

void expect_each_once(const SandboxProcess& sandbox, const std::string& api_key, int count) {
  const auto names = stored_videos(sandbox, api_key);
  CHECK(names.size() == static_cast<std::size_t>(count));
  for (const auto& [name, times] : names) {
    INFO(name);
    CHECK(times == 1);
  }
}

}  // namespace mavi::test

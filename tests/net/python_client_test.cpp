// MAVI's documented plain Python client (requests, files= and params=) against mavi-sandbox:
// the sandbox must accept what MAVI's own examples send.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "net/sample_media.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"
#include "support/skip.hpp"

namespace {

// As in MAVI's upload docs, with the URL, key and file taken from the command line.
constexpr const char* kClient = R"PY(
import sys
import requests

base, key, path, callback = sys.argv[1:5]
headers = {"Authorization": key}
params = {"callBackUri": callback}
with open(path, "rb") as f:
    response = requests.post(base + "/api/serve/video/upload", files={"file": f},
                             params=params, headers=headers)
print(response.status_code)
body = response.json()
print(body["code"])
print(body["data"]["videoNo"])
)PY";

}  // namespace

TEST_CASE("MAVI's documented Python requests client gets a videoNo from the sandbox") {
  if (!mavi::test::on_path("python3"))
    MAVI_SKIP("python3 is not installed");
  const auto probe = mavi::test::run({"python3", "-c", "import requests"});
  if (probe.exit_code != 0)
    MAVI_SKIP("python3-requests is not installed");

  const auto& media = mavi::test::sample_media();
  mavi::test::TempDir work;
  const auto script = work / "client.py";
  std::ofstream(script) << kClient;

  const std::string key = "sk-python-client-test";
  mavi::test::SandboxProcess sandbox({"--admin"}, {{"MAVI_SANDBOX_API_KEY", key}});
  const auto result = mavi::test::run({"python3", script.string(), sandbox.url(), key,
                                       media.accepted.string(), "http://127.0.0.1:9/callback"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_match(result.out, m, std::regex("200\n0000\n(VI[0-9]+)\n")));

  // The sandbox registered exactly that video, under the file's own name.
  const auto listed = mavi::test::run(
      {"curl", "-sS", "-H", "Authorization: " + key, sandbox.url() + "/sandbox/videos"});
  CHECK(listed.out.find(m[1].str()) != std::string::npos);
  CHECK(listed.out.find("\"videoName\":\"" + media.accepted.filename().string() + "\"") !=
        std::string::npos);
}

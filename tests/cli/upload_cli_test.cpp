// mavi-prepare-and-upload's upload side, run as a program against a real HTTP server on
// 127.0.0.1: report contents, exit statuses, and the API key never printed.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/fake_mavi.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace {

using mavi::test::FakeMavi;
using mavi::test::Fault;
using nlohmann::json;

const std::string kKey = "sk-TESTKEY-12345";

mavi::test::RunResult upload(const FakeMavi& server, std::vector<std::string> args,
                             std::map<std::string, std::string> env = {{"MAVI_API_KEY", kKey}}) {
  std::vector<std::string> argv{mavi::test::program("mavi-prepare-and-upload").string(),
                                "--base-url",
                                server.base_url(),
                                "--uploads-per-minute",
                                "0",
                                "--no-journal"};
  argv.insert(argv.end(), args.begin(), args.end());
  mavi::test::RunOptions options;
  options.env = std::move(env);
  return mavi::test::run(argv, options);
}

void check_no_key(const mavi::test::RunResult& result) {
  INFO("stdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.out.find(kKey) == std::string::npos);
  CHECK(result.err.find(kKey) == std::string::npos);
  CHECK(result.out.find("TESTKEY") == std::string::npos);
  CHECK(result.err.find("TESTKEY") == std::string::npos);
}

}  // namespace

TEST_CASE("an accepted file is uploaded and the JSON report carries MAVI's answer") {
  FakeMavi server;
  const auto result = upload(server, {"--json", "--callback-uri", "http://127.0.0.1:9/cb",
                                      mavi::test::fixture("h264_aac.mp4").string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const json report = json::parse(result.out);
  REQUIRE(report["files"].size() == 1);
  const json& file = report["files"][0];
  CHECK(file["verdict"] == "ok");
  CHECK(file["status"] == "uploaded");
  CHECK(file["upload"]["videoNo"] == "VI1001");
  CHECK(file["upload"]["videoName"] == "h264_aac.mp4");
  CHECK(file["upload"]["http_status"] == 200);
  CHECK(file["upload"]["code"] == "0000");
  CHECK(file["error"].is_null());
  const auto uploads = server.uploads();
  REQUIRE(uploads.size() == 1);
  CHECK(uploads[0].authorization == kKey);
  CHECK(uploads[0].callback_query == "http://127.0.0.1:9/cb");
  check_no_key(result);
}

TEST_CASE("the key stays out of every output, with --verbose, on success and on failure") {
  FakeMavi server;
  const std::string clip = mavi::test::fixture("h264_aac.mp4").string();

  SECTION("success with a retry, verbose") {
    server.script({Fault::http500});
    const auto result = upload(server, {"--verbose", "--json", clip});
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("Authorization: <redacted>") != std::string::npos);
    check_no_key(result);
  }
  SECTION("bad key answered with the key echoed back, verbose, human output") {
    server.script({Fault::echo_key_401});
    const auto result = upload(server, {"--verbose", clip});
    CHECK(result.exit_code == 77);  // a key MAVI refuses stops the batch
    CHECK(result.out.find("bad_auth") != std::string::npos);
    check_no_key(result);
  }
  SECTION("malformed answer echoing the key, JSON") {
    server.script({Fault::malformed});
    const auto result = upload(server, {"--verbose", "--json", clip});
    CHECK(result.exit_code == 1);
    const json report = json::parse(result.out);
    CHECK(report["files"][0]["status"] == "failed");
    CHECK(report["files"][0]["error_kind"] == "bad_response");
    check_no_key(result);
  }
  SECTION("literal --api-key warns and is still not printed") {
    const auto result = upload(server, {"--api-key", kKey, "--verbose", clip}, {});
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("visible to other users") != std::string::npos);
    check_no_key(result);
  }
  SECTION("key file, bearer scheme, retries exhausted") {
    mavi::test::TempDir dir;
    const auto key_file = dir / "key";
    std::ofstream(key_file) << kKey << "\n";
    ::chmod(key_file.c_str(), 0600);
    // Two rounds of two attempts: MAVI answering lookups meanwhile, the file gets a second.
    server.script({Fault::http500, Fault::http500, Fault::http500, Fault::http500});
    const auto result = upload(server,
                               {"--api-key-file", key_file.string(), "--auth-scheme", "bearer",
                                "--retries", "1", "--verbose", "--json", clip},
                               {});
    CHECK(result.exit_code == 1);
    const json report = json::parse(result.out);
    CHECK(report["files"][0]["error_kind"] == "server_error");
    CHECK(server.uploads().at(0).authorization == "Bearer " + kKey);
    CHECK(result.err.find("can be read by other users") == std::string::npos);
    check_no_key(result);
  }
}

TEST_CASE("usage errors exit 64: no key, plain http to another host, bad option values") {
  FakeMavi server;
  const std::string clip = mavi::test::fixture("h264_aac.mp4").string();
  CHECK(upload(server, {clip}, {{"MAVI_API_KEY", ""}}).exit_code == 64);
  CHECK(upload(server, {"--auth-scheme", "basic", clip}).exit_code == 64);
  CHECK(upload(server, {"--latitude", "123", clip}).exit_code == 64);
  const auto insecure = upload(server, {"--base-url", "http://mavi.example.com", clip});
  CHECK(insecure.exit_code == 64);
  CHECK(insecure.err.find("--allow-insecure-http") != std::string::npos);
  check_no_key(insecure);
  CHECK(server.uploads().empty());
}

TEST_CASE("v1 options reach the v1 upload as form fields") {
  FakeMavi server;
  const auto result = upload(server, {"--api",
                                      "v1",
                                      "--unique-id",
                                      "team",
                                      "--tag",
                                      "a",
                                      "--tag",
                                      "b",
                                      "--camera-model",
                                      "X100",
                                      "--latitude",
                                      "1.5",
                                      "--longitude",
                                      "-2.25",
                                      "--retain-original-video",
                                      "--transcription-prompt",
                                      "hello",
                                      "--datetime-taken",
                                      "2024-01-02 03:04:05",
                                      "--json",
                                      mavi::test::fixture("h264_aac.mp4").string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto uploads = server.uploads();
  REQUIRE(uploads.size() == 1);
  CHECK(uploads[0].path == "/serve/api/v1/upload");
  std::multimap<std::string, std::string> fields;
  for (const auto& part : uploads[0].parts) {
    if (part.name != "file")
      fields.emplace(part.name, part.value);
  }
  CHECK(fields.count("tags") == 2);
  CHECK(fields.find("unique_id")->second == "team");
  CHECK(fields.find("camera_model")->second == "X100");
  CHECK(fields.find("latitude")->second == "1.5");
  CHECK(fields.find("longitude")->second == "-2.25");
  CHECK(fields.find("retain_original_video")->second == "true");
  CHECK(fields.find("video_transcription_prompt")->second == "hello");
  CHECK(fields.find("datetime_taken")->second == "2024-01-02 03:04:05");
}

TEST_CASE("a fixable file is prepared in a private folder, then uploaded under its own name") {
  FakeMavi server;
  const auto result = upload(server, {"--json", mavi::test::fixture("h264_aac.ts").string(),
                                      mavi::test::fixture("empty.mp4").string()});
  INFO(result.err);
  CHECK(result.exit_code == 1);  // empty.mp4 is rejected
  const json report = json::parse(result.out);
  REQUIRE(report["files"].size() == 2);
  const json& ts = report["files"][0];
  CHECK(ts["verdict"] == "fixable");
  CHECK(ts["action"] == "remux");
  CHECK(ts["status"] == "uploaded");
  CHECK(ts["upload"]["videoName"] == "h264_aac.mp4");
  CHECK(ts["upload"]["code"] == "0000");
  // The prepared file lived in a private temporary folder, removed after the upload.
  CHECK(report["output_dir"].is_null());
  const json& empty = report["files"][1];
  CHECK(empty["status"] == "rejected");
  CHECK(empty["upload"].is_null());
  const auto uploads = server.uploads();
  REQUIRE(uploads.size() == 1);
  CHECK(uploads[0].parts.at(0).filename == "h264_aac.mp4");
  CHECK(uploads[0].parts.at(0).content_type == "video/mp4");
  check_no_key(result);
}

TEST_CASE("against mavi-sandbox with faults: uploads get videoNos, the key is never printed") {
  mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--fail-rate", "0.3", "--drop-rate", "0.3",
                                      "--seed", "3", "--callback-delay", "0.1"});
  const std::vector<std::string> argv{mavi::test::program("mavi-prepare-and-upload").string(),
                                      "--base-url",
                                      sandbox.url(),
                                      "--uploads-per-minute",
                                      "0",
                                      "--retries",
                                      "10",
                                      "--verbose",
                                      "--json",
                                      mavi::test::fixture("h264_aac.mp4").string(),
                                      mavi::test::fixture("hevc_aac.mkv").string()};
  mavi::test::RunOptions options;
  options.env["MAVI_API_KEY"] = kKey;
  const auto result = mavi::test::run(argv, options);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const json report = json::parse(result.out);
  REQUIRE(report["files"].size() == 2);
  for (const auto& file : report["files"]) {
    CHECK(file["status"] == "uploaded");
    CHECK_FALSE(file["upload"]["videoNo"].get<std::string>().empty());
  }
  check_no_key(result);
  CHECK(sandbox.log().find(kKey) == std::string::npos);
}

TEST_CASE("MAVI_BASE_URL gives the service when --base-url is absent and --base-url wins over it") {
  FakeMavi server;
  FakeMavi other;
  const std::string clip = mavi::test::fixture("h264_aac.mp4").string();
  const std::string program = mavi::test::program("mavi-prepare-and-upload").string();
  mavi::test::RunOptions options;
  options.env = {{"MAVI_API_KEY", kKey}, {"MAVI_BASE_URL", server.base_url()}};

  const auto from_env =
      mavi::test::run({program, "--uploads-per-minute", "0", "--json", clip}, options);
  INFO(from_env.err);
  REQUIRE(from_env.exit_code == 0);
  CHECK(server.uploads().size() == 1);

  const auto from_option = mavi::test::run(
      {program, "--base-url", other.base_url(), "--uploads-per-minute", "0", "--json", clip},
      options);
  INFO(from_option.err);
  REQUIRE(from_option.exit_code == 0);
  CHECK(other.uploads().size() == 1);
  CHECK(server.uploads().size() == 1);
  check_no_key(from_env);
  check_no_key(from_option);
}

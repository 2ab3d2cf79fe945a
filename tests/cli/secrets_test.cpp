// The API key, a recognisable string, run through every program on success and failure paths
// (with --verbose where there is one): it must appear nowhere in stdout, stderr, the sandbox's
// request log, or any file the programs leave behind (output folder, sandbox store, temp
// folders). upload_cli_test.cpp checks stdout/stderr for single runs; this grep covers the
// files as well and the failure paths reached through the network.
#include <httplib.h>

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/run.hpp"
#include "support/sandbox_process.hpp"

namespace fs = std::filesystem;
using mavi::test::RunResult;
using mavi::test::TempDir;

namespace {

const std::string kKey = "sk-LEAKCANARY-5b1e0c77";
// Parts of it too: a key cut in half by an excerpt is still half a key.
const std::vector<std::string> kFragments = {kKey, "LEAKCANARY", "5b1e0c77"};

void check_text(const std::string& where, const std::string& text) {
  for (const auto& fragment : kFragments) {
    INFO(where << " contains '" << fragment << "':\n" << text.substr(0, 4000));
    CHECK(text.find(fragment) == std::string::npos);
  }
}

void check_run(const std::string& what, const RunResult& result) {
  check_text(what + " stdout", result.out);
  check_text(what + " stderr", result.err);
}

// Every regular file under `dir`, read as bytes. Returns how many files were read.
int check_tree(const fs::path& dir) {
  int files = 0;
  if (!fs::exists(dir))
    return 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file())
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    check_text(entry.path().string(), bytes);
    ++files;
  }
  return files;
}

// The temporary folders mavi-prepare-and-upload makes without -o (mavi-prepare-XXXXXX).
std::set<fs::path> prepare_temp_dirs() {
  std::set<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    if (entry.path().filename().string().rfind("mavi-prepare-", 0) == 0)
      dirs.insert(entry.path());
  }
  return dirs;
}

RunResult prepare_and_upload(const std::string& base_url, std::vector<std::string> args) {
  std::vector<std::string> argv{mavi::test::program("mavi-prepare-and-upload").string(),
                                "--base-url",
                                base_url,
                                "--uploads-per-minute",
                                "0",
                                "--connect-timeout",
                                "5",
                                "--verbose"};
  argv.insert(argv.end(), args.begin(), args.end());
  mavi::test::RunOptions options;
  options.env["MAVI_API_KEY"] = kKey;
  options.timeout = std::chrono::seconds(300);
  return mavi::test::run(argv, options);
}

// An acceptable file, one that must be re-encoded, one that is rejected.
std::vector<std::string> mixed_inputs() {
  return {mavi::test::fixture("h264_aac.mp4").string(),
          mavi::test::fixture("mpeg4_mp3.avi").string(),
          mavi::test::fixture("text_renamed.mp4").string()};
}

}  // namespace

TEST_CASE("mavi-check never shows a key from its environment") {
  for (const auto& extra :
       {std::vector<std::string>{"--json"}, {"--verbose"}, {"--deep", "--log-level", "debug"}}) {
    std::vector<std::string> argv{mavi::test::program("mavi-check").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (const auto& input : mixed_inputs())
      argv.push_back(input);
    argv.push_back("/nonexistent/" + kKey + ".mp4");  // a failure path...
    mavi::test::RunOptions options;
    options.env["MAVI_API_KEY"] = kKey;
    const auto result = mavi::test::run(argv, options);
    CHECK(result.exit_code == 2);  // rejected / missing path
    // ...whose name, given on the command line, is the user's business: remove it first.
    auto scrub = [](std::string text) {
      const std::string named = "/nonexistent/" + kKey + ".mp4";
      for (auto pos = text.find(named); pos != std::string::npos; pos = text.find(named))
        text.erase(pos, named.size());
      return text;
    };
    check_text("mavi-check stdout", scrub(result.out));
    check_text("mavi-check stderr", scrub(result.err));
  }
}

TEST_CASE("mavi-prepare-and-upload and mavi-sandbox on success: no key in any output or file") {
  TempDir store;
  mavi::test::SandboxProcess sandbox(
      {"--api-key", kKey, "--store", store.path().string(), "--callback-delay", "0.1"});
  TempDir out;
  TempDir state;  // a fresh journal per run: each run uploads, so each run sends the key
  for (const bool json : {false, true}) {
    std::vector<std::string> args{"-o", out.path().string(), "--journal",
                                  (state / (json ? "json.sqlite" : "human.sqlite")).string()};
    if (json)
      args.push_back("--json");
    for (const auto& input : mixed_inputs())
      args.push_back(input);
    const auto result = prepare_and_upload(sandbox.url(), args);
    INFO(result.err);
    CHECK(result.exit_code == 1);  // the rejected file
    CHECK(result.err.find("Authorization: <redacted>") != std::string::npos);
    check_run("prepare-and-upload", result);
  }
  // Without -o: the private work folder is removed, and held no key while it existed.
  const auto before = prepare_temp_dirs();
  std::vector<std::string> plain = mixed_inputs();
  plain.insert(plain.begin(), {"--journal", (state / "plain.sqlite").string()});
  const auto result = prepare_and_upload(sandbox.url(), plain);
  check_run("prepare-and-upload without -o", result);
  CHECK(prepare_temp_dirs() == before);

  CHECK(check_tree(out.path()) >= 1);    // the prepared file(s)
  CHECK(check_tree(state.path()) >= 3);  // the journals
  CHECK(check_tree(store.path()) >= 4);  // every upload the sandbox stored
  sandbox.stop();
  check_text("sandbox log", sandbox.log());
  check_text("sandbox first line", sandbox.first_line());
}

TEST_CASE("failure paths with --verbose: no key in any output or file") {
  const std::string clip = mavi::test::fixture("h264_aac.mp4").string();
  TempDir out;
  SECTION("wrong key (the sandbox knows another)") {
    TempDir store;
    mavi::test::SandboxProcess sandbox({"--api-key", "sk-OTHER", "--store", store.path().string()});
    const auto result =
        prepare_and_upload(sandbox.url(), {"--json", "-o", out.path().string(), clip});
    CHECK(result.exit_code == 77);  // a key MAVI refuses stops the batch
    CHECK(result.out.find("bad_auth") != std::string::npos);
    check_run("bad key", result);
    sandbox.stop();
    check_text("sandbox log", sandbox.log());
    check_tree(store.path());
  }
  SECTION("server errors until the retries run out") {
    mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--fail-rate", "1"});
    const auto result =
        prepare_and_upload(sandbox.url(), {"--retries", "1", "-o", out.path().string(), clip});
    CHECK(result.exit_code == 1);
    check_run("server errors", result);
    sandbox.stop();
    check_text("sandbox log", sandbox.log());
  }
  SECTION("connections dropped mid-upload") {
    mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--drop-rate", "1"});
    const auto result = prepare_and_upload(
        sandbox.url(), {"--retries", "1", "--json", "-o", out.path().string(), clip});
    CHECK(result.exit_code == 1);
    check_run("drops", result);
    sandbox.stop();
    check_text("sandbox log", sandbox.log());
  }
  SECTION("rate limited") {
    mavi::test::SandboxProcess sandbox({"--api-key", kKey, "--rate-limit", "1"});
    const auto result = prepare_and_upload(
        sandbox.url(), {"--retries", "0", "-o", out.path().string(), clip, clip});
    check_run("rate limited", result);
    sandbox.stop();
    check_text("sandbox log", sandbox.log());
  }
  SECTION("connection refused") {
    int port = 0;
    {
      mavi::test::SandboxProcess closed;
      port = closed.port();
    }
    // Nobody answers, not even a probe: an outage, which outlasts its timeout (exit 69).
    const auto result = prepare_and_upload(
        "http://127.0.0.1:" + std::to_string(port),
        {"--retries", "1", "--outage-timeout", "1s", "-o", out.path().string(), clip});
    CHECK(result.exit_code == 69);
    CHECK(result.err.find("MAVI unavailable") != std::string::npos);
    check_run("refused", result);
  }
  SECTION("TLS that cannot be verified") {
    // Plain HTTP where TLS is expected: the handshake fails; nothing, no key, is sent in clear.
    mavi::test::SandboxProcess sandbox({"--api-key", kKey});
    // A handshake that fails is a connection that fails: an outage, here outlasting its timeout.
    const auto result = prepare_and_upload(
        "https://127.0.0.1:" + std::to_string(sandbox.port()),
        {"--retries", "0", "--outage-timeout", "1s", "-o", out.path().string(), clip});
    CHECK(result.exit_code == 69);
    check_run("TLS", result);
    sandbox.stop();
    check_text("sandbox log", sandbox.log());
  }
  SECTION("usage errors") {
    for (const auto& args : {std::vector<std::string>{"--auth-scheme", "nope", clip},
                             {"--base-url", "http://mavi.example.com", clip},
                             {"--api-key", kKey, "--retries", "-3", clip}}) {
      const auto result = prepare_and_upload("http://127.0.0.1:9", args);
      CHECK(result.exit_code == 64);
      check_run("usage", result);
    }
  }
  check_tree(out.path());
}

TEST_CASE("over TLS a self-signed certificate is refused unless --cacert names it") {
  REQUIRE(mavi::test::on_path("openssl"));
  TempDir dir;
  const auto cert = dir / "cert.pem";
  const auto key = dir / "key.pem";
  const auto made = mavi::test::run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                     "-days", "2", "-subj", "/CN=localhost", "-addext",
                                     "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                                     key.string(), "-out", cert.string()});
  REQUIRE(made.exit_code == 0);
  httplib::SSLServer server(cert.c_str(), key.c_str());
  REQUIRE(server.is_valid());
  std::atomic<int> requests{0};
  std::atomic<bool> key_seen{false};
  server.Post(".*", [&](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) {
    reader([](const httplib::MultipartFormData&) { return true; },
           [](const char*, size_t) { return true; });
    ++requests;
    key_seen = req.get_header_value("Authorization") == kKey;
    res.set_content(R"({"code":"0000","msg":"success","data":{"videoNo":"VI5","videoName":"x"}})",
                    "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string url = "https://localhost:" + std::to_string(port);
  const std::string clip = mavi::test::fixture("h264_aac.mp4").string();

  const auto refused = prepare_and_upload(url, {"--json", "--retries", "3", clip});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  const auto report = nlohmann::json::parse(refused.out);
  CHECK(report["files"][0]["error_kind"] == "invalid_argument");  // not retried
  CHECK(requests == 0);  // nothing, so no key, was sent before the certificate was checked
  check_run("TLS refused", refused);

  const auto accepted = prepare_and_upload(url, {"--json", "--cacert", cert.string(), clip});
  INFO(accepted.err);
  CHECK(accepted.exit_code == 0);
  CHECK(nlohmann::json::parse(accepted.out)["files"][0]["upload"]["videoNo"] == "VI5");
  CHECK(requests == 1);
  CHECK(key_seen);
  check_run("TLS with --cacert", accepted);
  server.stop();
  thread.join();
}

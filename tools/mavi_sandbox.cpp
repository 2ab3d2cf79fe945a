// mavi-sandbox: a local MAVI-compatible server for trying pipelines (and testing clients)
// without spending quota. See docs/sandbox.md.
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/exit_codes.hpp"
#include "cli/options.hpp"
#include "mavi/log.hpp"
#include "mavi/version.hpp"
#include "sandbox/sandbox_server.hpp"

namespace {

// From the shared table (tools/cli/exit_codes.hpp). A server ends on SIGINT/SIGTERM by design,
// so that is a clean exit (0), not 130/143.
constexpr int kExitOk = mavi::cli::to_int(mavi::cli::ExitCode::ok);
constexpr int kExitUsage = mavi::cli::to_int(mavi::cli::ExitCode::usage);
constexpr int kExitInternal = mavi::cli::to_int(mavi::cli::ExitCode::internal);
// mavi-sandbox only: it could not start (port taken, store not creatable).
constexpr int kExitFailure = 1;

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

std::string read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw CLI::ValidationError("--api-key-file", "cannot read " + path);
  std::string key;
  std::getline(in, key);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' '))
    key.pop_back();
  if (key.empty())
    throw CLI::ValidationError("--api-key-file", "the file holds no key");
  return key;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by one thread with sigwait, which may call anything (server.stop()
  // included); every other thread, started after this, inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  mavi::cli::sandbox::SandboxConfig config;
  std::string api_key, api_key_file, store;
  double callback_delay = 2.0, latency = 0.0, stall_seconds = 30.0;
  double outage_after = 0, outage_seconds = 0;
  std::string outage_mode = "refuse", refusal = "bad-key";

  CLI::App app{
      "mavi-sandbox: a local MAVI-compatible HTTP server with callbacks, status listing "
      "and fault injection (docs/sandbox.md)",
      "mavi-sandbox"};
  app.add_option("--host", config.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", config.port, "Port to listen on; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--api-key", api_key,
                 "Key every request must carry in Authorization (raw or 'Bearer KEY'); visible to "
                 "other users of the machine, prefer --api-key-file or MAVI_SANDBOX_API_KEY");
  app.add_option("--api-key-file", api_key_file, "Read the key from the first line of this file")
      ->check(CLI::ExistingFile);
  app.add_option("--store", store,
                 "Folder for uploaded files (created if missing, kept on exit); default: a "
                 "private temporary folder removed on exit");
  mavi::cli::add_duration_option(app, "--callback-delay", callback_delay,
                                 "Time from an upload to its final status and callback (2s, 1m)", 0,
                                 86400);
  app.add_option("--client-id", config.client_id, "clientId sent in classic callbacks")
      ->capture_default_str();
  app.add_flag("--require-audio", config.require_audio,
               "Processing ends FAIL for videos without an audio track");
  app.add_option("--fail-rate", config.faults.fail_rate,
                 "Fraction of uploads answered HTTP 500 or 503")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--drop-rate", config.faults.drop_rate,
                 "Fraction of uploads whose connection is closed mid-body (nothing stored)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--stall-rate", config.faults.stall_rate,
                 "Fraction of uploads that stop being read mid-body and are never answered "
                 "(closed after --stall-seconds)")
      ->check(CLI::Range(0.0, 1.0));
  mavi::cli::add_duration_option(app, "--stall-seconds", stall_seconds,
                                 "How long a stalled upload hangs", 0, 3600);
  app.add_option("--lost-reply-rate", config.faults.lost_reply_rate,
                 "Fraction of uploads stored and registered, then closed without an answer")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--rate-limit", config.faults.rate_limit_per_minute,
                 "Uploads per minute, account-wide; beyond, code 0429 (0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  double rate_window = 60;
  mavi::cli::add_duration_option(app, "--rate-window", rate_window,
                                 "The window of --rate-limit (default 1 minute, as documented; "
                                 "shorter runs MAVI's limit at a faster clock)",
                                 0.1, 86400);
  app.add_option("--list-rate-limit", config.faults.list_per_second,
                 "Listings (searchDB, list_videos) per second; beyond, code 0429 (0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--status-rate-limit", config.faults.status_per_second,
                 "Status look-ups (get_metadata) per second; beyond, code 0429 (0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--v2-rate-limit", config.faults.v2_per_second,
                 "Requests a second to each v2 endpoint (upload, signed URL, metadata, delete), "
                 "account-wide; beyond, HTTP 400 \"exceeded the limit\" (0: v2 shares "
                 "--rate-limit and --status-rate-limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rate-limit-status", config.faults.rate_limited_http_status,
                 "HTTP status of a 0429 answer: 200, 429 or 400 (MAVI's pages show all three)")
      ->check(CLI::IsMember({200, 429, 400}))
      ->capture_default_str();
  bool no_retry_after = false;
  app.add_flag("--no-retry-after", no_retry_after,
               "Send 0429 answers without a Retry-After header, as MAVI documents them");
  app.add_option("--failed-status", config.failed_status,
                 "The status a failed processing ends with: FAIL, FAILED, PARSE_ERROR, or auto "
                 "(classic PARSE_ERROR, v1 FAILED); the cause is listed with it")
      ->check(CLI::IsMember({"FAIL", "FAILED", "PARSE_ERROR", "auto"}))
      ->capture_default_str();
  app.add_option("--rename-videos", config.rename_videos,
                 "v1: the name the server gives a video: none (the client's filename), hash (32 "
                 "hex digits), stem (without its extension)")
      ->check(CLI::IsMember({"none", "hash", "stem"}))
      ->capture_default_str();
  app.add_flag("--validate-uploads", config.validate_uploads,
               "v1: refuse at upload time (code 0001) what the upload page refuses: an extension "
               "other than .mp4/.avi/.mkv/.mov, a file part not video/*, more than 3 GB");
  app.add_flag("--string-numbers", config.string_numbers,
               "v1: send the numbers of listings and metadata as strings (the v1.1 example)");
  double signed_url_ttl = 93600;
  mavi::cli::add_duration_option(app, "--signed-url-ttl", signed_url_ttl,
                                 "v2: how long a signed upload URL lives (expires_in; the page's "
                                 "example gives 93600 s)",
                                 1, 30 * 86400);
  app.add_option("--expired-signed-urls", config.expired_signed_urls,
                 "v2: hand out this many signed URLs already expired (the storage refuses them)")
      ->check(CLI::NonNegativeNumber);
  bool realistic = false;
  app.add_flag("--realistic", realistic,
               "Every documented limit and behaviour at its documented value: uploads 1 a "
               "minute, listings 5 and status 1 a second, 0429 as HTTP 429 without Retry-After, "
               "--failed-status auto, --rename-videos hash, --validate-uploads, "
               "--string-numbers (options given as well override it)");
  mavi::cli::add_duration_option(app, "--outage-after", outage_after,
                                 "When the staged outage begins, counted from the start", 0, 86400);
  mavi::cli::add_duration_option(
      app, "--outage-seconds", outage_seconds,
      "Stage an outage this long (0: none); see --outage-after, --outage-mode", 0, 86400);
  app.add_option("--outage-mode", outage_mode,
                 "refuse: the port is closed (connections refused, open ones cut); 503: every "
                 "request is answered HTTP 503")
      ->check(CLI::IsMember({"refuse", "503"}))
      ->capture_default_str();
  app.add_option("--refuse-after", config.faults.refuse_after,
                 "After this many uploads, refuse every further upload as --refusal says")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--refusal", refusal,
                 "How --refuse-after refuses: bad-key (0401), no-credits (0402), disabled (0403)")
      ->check(CLI::IsMember({"bad-key", "no-credits", "disabled"}))
      ->capture_default_str();
  mavi::cli::add_duration_option(app, "--latency", latency,
                                 "How long to wait before answering each API request (200ms)", 0,
                                 3600);
  std::uintmax_t max_bandwidth = 0;
  mavi::cli::add_size_option(app, "--max-bandwidth", max_bandwidth,
                             "Bytes per second at which request bodies are read, shared by all "
                             "uploads (k, M, G: powers of 1000; KiB, MiB, GiB: of 1024; 0: "
                             "unlimited)",
                             0, std::uintmax_t{1} << 50);
  app.add_option("--seed", config.faults.seed, "Seed for the fault decisions")
      ->capture_default_str();
  app.add_flag("--admin", config.admin,
               "Serve GET /sandbox/videos: every stored video with its path, size and sha256");
  app.add_flag("-q,--quiet", config.quiet, "No request log and no FFmpeg messages on stderr");
  app.set_version_flag("--version", "mavi-sandbox " + std::string(mavi::version()));
  app.footer(mavi::cli::exit_codes_help(mavi::cli::Program::sandbox));

  mavi::cli::apply_conventions(app);
  if (const auto status = mavi::cli::parse_command_line(app, argc, argv))
    return *status;
  try {
    const int key_sources = !api_key.empty() + !api_key_file.empty();
    if (key_sources > 1)
      throw CLI::ValidationError("--api-key and --api-key-file exclude each other");
    if (!api_key_file.empty()) {
      config.api_key = read_key_file(api_key_file);
    } else if (!api_key.empty()) {
      config.api_key = api_key;
      if (!config.quiet) {
        std::cerr << "mavi-sandbox: warning: --api-key is visible to other users of this "
                     "machine; prefer --api-key-file or MAVI_SANDBOX_API_KEY\n";
      }
    } else if (const char* env = std::getenv("MAVI_SANDBOX_API_KEY"); env && *env) {
      config.api_key = env;
    }
  } catch (const CLI::ParseError& e) {
    std::cerr << "mavi-sandbox: " << e.what() << "\n";
    return kExitUsage;
  }
  // The uploads are checked with libmavi: FFmpeg's own messages are request-log noise.
  mavi::set_log_level(config.quiet ? mavi::LogLevel::quiet : mavi::LogLevel::warning);
  config.callback_delay = to_ms(callback_delay);
  config.latency = to_ms(latency);
  config.max_bandwidth_bytes_per_second = max_bandwidth;
  config.stall_duration = to_ms(stall_seconds);
  config.signed_url_ttl = std::chrono::seconds(static_cast<long long>(signed_url_ttl));
  if (outage_seconds > 0) {
    config.outage.after = to_ms(outage_after);
    config.outage.duration = to_ms(outage_seconds);
    config.outage.mode = outage_mode == "503" ? mavi::cli::sandbox::OutageMode::unavailable
                                              : mavi::cli::sandbox::OutageMode::refuse;
  }
  config.faults.retry_after = !no_retry_after;
  config.faults.rate_window = to_ms(rate_window);
  if (realistic) {
    // The documented values (docs/sandbox.md, "--realistic", cites the pages); an option
    // given explicitly wins.
    auto unless_given = [&](const char* option, auto& field, auto value) {
      if (app.count(option) == 0)
        field = value;
    };
    unless_given("--rate-limit", config.faults.rate_limit_per_minute, 1);
    unless_given("--list-rate-limit", config.faults.list_per_second, 5);
    unless_given("--status-rate-limit", config.faults.status_per_second, 1);
    unless_given("--v2-rate-limit", config.faults.v2_per_second, 1);
    unless_given("--rate-limit-status", config.faults.rate_limited_http_status, 429);
    config.faults.retry_after = false;
    unless_given("--failed-status", config.failed_status, std::string("auto"));
    unless_given("--rename-videos", config.rename_videos, std::string("hash"));
    config.validate_uploads = true;
    config.string_numbers = true;
  }
  config.faults.refusal_code = refusal == "no-credits" ? "0402"
                               : refusal == "disabled" ? "0403"
                                                       : "0401";

  // A private store unless the user named one; removed on exit.
  bool temporary_store = false;
  try {
    if (store.empty()) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "mavi-sandbox-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("cannot create " + pattern);
      config.store_dir = pattern;
      temporary_store = true;
    } else {
      config.store_dir = store;
      std::filesystem::create_directories(config.store_dir);
    }
  } catch (const std::exception& e) {
    std::cerr << "mavi-sandbox: store: " << e.what() << '\n';
    return kExitFailure;
  }

  if (!config.quiet) {
    std::cerr << "mavi-sandbox: store " << config.store_dir.string()
              << (temporary_store ? " (temporary, removed on exit)" : "") << '\n';
  }

  int exit_code = kExitOk;
  {
    mavi::cli::sandbox::SandboxServer server(config, std::cerr);
    int port = 0;
    try {
      port = server.bind();
    } catch (const std::exception& e) {
      std::cerr << "mavi-sandbox: " << e.what() << '\n';
      exit_code = kExitFailure;
    }
    if (exit_code == kExitOk) {
      std::atomic<bool> serving_done{false};
      std::thread signal_thread([&] {
        int received = 0;
        sigwait(&signals, &received);
        if (serving_done)
          return;  // woken by main to finish
        // stop() only acts once the server runs; a signal that arrives earlier is repeated.
        while (!serving_done) {
          server.stop();
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      });
      std::cout << "listening on http://" << config.host << ":" << port << std::endl;
      if (!std::cout) {
        // Whoever started the sandbox learns its URL from that line: without it, no use.
        std::cerr << "mavi-sandbox: cannot write to stdout\n";
        exit_code = kExitInternal;
      } else if (!server.run()) {
        exit_code = kExitFailure;
      }
      serving_done = true;
      pthread_kill(signal_thread.native_handle(), SIGTERM);
      signal_thread.join();
    }
  }
  if (temporary_store) {
    std::error_code ec;
    std::filesystem::remove_all(config.store_dir, ec);
  }
  return exit_code;
}

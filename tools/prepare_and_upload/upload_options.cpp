#include "prepare_and_upload/upload_options.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>

#include "cli/options.hpp"
#include "mavi/error.hpp"

namespace mavi::cli {

namespace {

std::string trim(std::string text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

std::string read_key_file(const std::string& path, std::ostream& warnings) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw Error(Errc::invalid_argument,
                "--api-key-file: cannot read " + path + ": " + std::strerror(err));
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string key = trim(content.str());
  if (key.empty())
    throw Error(Errc::invalid_argument, "--api-key-file: " + path + " is empty");
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    warnings << "mavi-prepare-and-upload: warning: the API key file " << path
             << " can be read by other users (chmod 600 it)\n";
  }
  return key;
}

}  // namespace

void add_upload_options(CLI::App& app, UploadCliOptions& o) {
  const std::string group = "Upload";
  app.add_option("--base-url", o.base_url,
                 "MAVI API base URL: scheme, host and port (default: the generation's documented "
                 "host, classic " +
                     std::string(kDefaultBaseUrl) + ", v1 " + std::string(kV1BaseUrl) + ", v2 " +
                     std::string(kV2BaseUrl) + ")")
      ->envname("MAVI_BASE_URL")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)  // wrappers may override
      ->group(group);
  app.add_option("--api-key-file", o.api_key_file,
                 "file holding the API key (default: the MAVI_API_KEY environment variable)")
      ->group(group);
  app.add_option("--api-key", o.api_key,
                 "the API key itself (visible to other users of the machine: prefer "
                 "MAVI_API_KEY or --api-key-file)")
      ->group(group);
  app.add_option("--auth-scheme", o.auth_scheme,
                 "Authorization header: the key as-is (raw) or 'Bearer KEY'")
      ->check(CLI::IsMember({"raw", "bearer"}))
      ->capture_default_str()
      ->group(group);
  add_api_option(app, o.api, "API generation", [](const ApiGenerationInfo& api) {
    return "(" + api.paths + ")";
  })->group(group);
  app.add_option("--upload-via", o.upload_via,
                 "v2: send files straight to MAVI (direct), through a signed URL to storage "
                 "(signed-url, checkable after a lost answer), or auto (signed-url from "
                 "--signed-url-from)")
      ->check(CLI::IsMember({"auto", "direct", "signed-url"}))
      ->capture_default_str()
      ->group(group);
  add_size_option(app, "--signed-url-from", o.signed_url_from,
                  "v2, --upload-via auto: files of at least this size go through a signed URL "
                  "(k, M, G: powers of 1000; KiB, MiB, GiB: of 1024)",
                  0, std::uintmax_t{1} << 60)
      ->group(group);
  app.add_option("--callback-uri", o.callback_uri, "URI MAVI calls when processing ends")
      ->group(group);
  app.add_option("--unique-id", o.unique_id, "v1: scope of the videos (default 'default')")
      ->group(group);
  app.add_option("--tag", o.tags, "v1: a tag for the video (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->group(group);
  app.add_option("--datetime-taken", o.datetime_taken, "v1: when the video was taken")
      ->group(group);
  app.add_option("--camera-model", o.camera_model, "v1: camera model")->group(group);
  app.add_option("--latitude", o.latitude, "v1: latitude where it was taken")
      ->check(CLI::Range(-90.0, 90.0))
      ->group(group);
  app.add_option("--longitude", o.longitude, "v1: longitude where it was taken")
      ->check(CLI::Range(-180.0, 180.0))
      ->group(group);
  app.add_flag("--retain-original-video", o.retain_original_video,
               "v1: ask MAVI to keep the original video")
      ->group(group);
  app.add_option("--transcription-prompt", o.transcription_prompt,
                 "v1: prompt guiding the video's transcription")
      ->group(group);
  app.add_option("--uploads-per-minute", o.uploads_per_minute,
                 "ceiling of the upload pace, per minute (default: the generation's documented "
                 "limit: 1 a minute for classic and v1, 60 for v2, whose every request shares "
                 "1 a second; 0: none). Rate-limited answers slow uploads down below it")
      ->envname("MAVI_UPLOADS_PER_MINUTE")  // an account's own limit, set once for every run
      ->check(CLI::NonNegativeNumber)
      ->group(group);
  app.add_option("--lookups-per-second", o.lookups_per_second,
                 "ceiling of look-ups (listings, status polls), per second (default: the "
                 "documented limits, list 5 and status 1 a second; 0: none)")
      ->envname("MAVI_LOOKUPS_PER_SECOND")
      ->check(CLI::NonNegativeNumber)
      ->group(group);
  add_duration_option(app, "--connect-timeout", o.connect_timeout_seconds,
                      "how long connecting may take (30s, 2m)", 1, 3600)
      ->group(group);
  add_duration_option(app, "--stall-timeout", o.stall_timeout_seconds,
                      "how long an attempt may make no progress (sending or waiting for the "
                      "answer) before it fails",
                      1, 86400)
      ->group(group);
  app.add_option("--retries", o.retries,
                 "retries after a network error, timeout, server error or rate limiting")
      ->check(CLI::Range(0, 100))
      ->capture_default_str()
      ->group(group);
  app.add_option("--cacert", o.cacert, "extra CA bundle (PEM) for a private CA")
      ->check(CLI::ExistingFile)
      ->group(group);
  app.add_flag("--allow-insecure-http", o.allow_insecure_http,
               "allow plain http:// to a non-loopback host (sends the key unencrypted)")
      ->group(group);
  app.add_flag("--verbose", o.verbose,
               "log requests, answers and retries on stderr (Authorization redacted)")
      ->group(group);
}

std::string check_generation_options(const CLI::App& app, const UploadCliOptions& o) {
  if (o.api == "v1")
    return {};
  std::string given;
  for (const char* name :
       {"--unique-id", "--tag", "--datetime-taken", "--camera-model", "--latitude", "--longitude",
        "--retain-original-video", "--transcription-prompt"}) {
    if (app.count(name) != 0)
      given += (given.empty() ? "" : ", ") + std::string(name);
  }
  if (given.empty())
    return {};
  return given + ": only the v1 API takes " +
         (given.find(',') == std::string::npos ? "this option" : "these options") +
         " (add --api v1, or leave " + (given.find(',') == std::string::npos ? "it" : "them") +
         " out)";
}

ClientConfig make_client_config(const UploadCliOptions& o, std::ostream& warnings,
                                std::ostream& log) {
  ClientConfig config;
  if (!o.base_url.empty())
    config.base_url = o.base_url;

  if (!o.api_key_file.empty() && !o.api_key.empty()) {
    throw Error(Errc::invalid_argument, "--api-key and --api-key-file are mutually exclusive");
  }
  if (!o.api_key_file.empty()) {
    config.api_key = read_key_file(o.api_key_file, warnings);
  } else if (!o.api_key.empty()) {
    warnings << "mavi-prepare-and-upload: warning: --api-key is visible to other users of this "
                "machine (ps, shell "
                "history); prefer MAVI_API_KEY or --api-key-file\n";
    config.api_key = o.api_key;
  } else if (const char* env = std::getenv("MAVI_API_KEY"); env != nullptr && *env != '\0') {
    config.api_key = trim(env);
  } else {
    throw Error(Errc::invalid_argument, "no API key: set MAVI_API_KEY or use --api-key-file FILE");
  }

  config.auth_scheme = o.auth_scheme == "bearer" ? AuthScheme::bearer : AuthScheme::raw;
  config.api = api_generation_from_string(o.api).value_or(ApiGeneration::classic);
  config.upload_route = o.upload_via == "direct"       ? UploadRoute::direct
                        : o.upload_via == "signed-url" ? UploadRoute::signed_url
                                                       : UploadRoute::automatic;
  config.signed_url_from_bytes = o.signed_url_from;
  config.uploads_per_minute = o.uploads_per_minute;
  config.lookups_per_second = o.lookups_per_second;
  config.connect_timeout =
      std::chrono::seconds(std::max<long long>(1, std::llround(o.connect_timeout_seconds)));
  config.low_speed_time =
      std::chrono::seconds(std::max<long long>(1, std::llround(o.stall_timeout_seconds)));
  config.retry.max_attempts = o.retries + 1;
  config.cacert = o.cacert;
  config.allow_insecure_http = o.allow_insecure_http;
  if (!o.unique_id.empty())
    config.default_unique_id = o.unique_id;
  if (o.verbose) {
    auto mutex = std::make_shared<std::mutex>();
    config.verbose = [mutex, &log](std::string_view line) {
      std::lock_guard lock(*mutex);
      log << "mavi-prepare-and-upload: upload: " << line << '\n' << std::flush;
    };
  }
  return config;
}

UploadOptions make_upload_options(const UploadCliOptions& o) {
  UploadOptions options;
  options.callback_uri = o.callback_uri;
  options.unique_id = o.unique_id;
  options.tags = o.tags;
  options.datetime_taken = o.datetime_taken;
  options.camera_model = o.camera_model;
  if (!std::isnan(o.latitude))
    options.latitude = o.latitude;
  if (!std::isnan(o.longitude))
    options.longitude = o.longitude;
  if (o.retain_original_video)
    options.retain_original_video = true;
  options.video_transcription_prompt = o.transcription_prompt;
  return options;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

}  // namespace mavi::cli

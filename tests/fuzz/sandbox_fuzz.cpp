// libFuzzer target: mavi-sandbox's request handling without sockets. The input decides the
// endpoint, the Authorization header, query parameters, a JSON body, the multipart parts of an
// upload (names, filenames, content types, bytes, where the body ends) and a few videos already
// in the store. Every request must be answered with a JSON body (or the connection dropped),
// no exception may escape a handler, and nothing may be left in the store folder but stored
// videos.
#include <fuzzer/FuzzedDataProvider.h>
#include <httplib.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "mavi/log.hpp"
#include "sandbox/api_common.hpp"
#include "sandbox/routes.hpp"

namespace {

using namespace mavi::cli::sandbox;

constexpr const char* kKey = "sk-SANDBOXKEY-42";

std::filesystem::path store_dir() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "sandbox-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      std::abort();
    return std::filesystem::path(pattern);
  }();
  return dir;
}

// Names the handlers look at, so the fuzzer need not guess them. Callback URIs are never set:
// the dispatcher would make real requests.
std::string param_name(FuzzedDataProvider& input) {
  static const char* kNames[] = {"page",     "pageSize",  "startTime", "endTime", "videoStatus",
                                 "video_no", "unique_id", "size",      "status"};
  if (input.ConsumeBool())
    return input.PickValueInArray(kNames);
  std::string name = input.ConsumeRandomLengthString(16);
  return name == "callBackUri" ? "x" : name;
}

std::string part_name(FuzzedDataProvider& input) {
  static const char* kNames[] = {"file", "tags", "unique_id", "datetime_taken", "latitude", ""};
  if (input.ConsumeBool())
    return input.PickValueInArray(kNames);
  std::string name = input.ConsumeRandomLengthString(16);
  return name == "callback" ? "x" : name;
}

void add_stored_videos(FuzzedDataProvider& input, SandboxState& state) {
  const int count = input.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < count; ++i) {
    StoredVideo video;
    video.video_no = state.store.next_video_no();
    video.video_name = input.ConsumeRandomLengthString(24);
    video.upload_time_ms = input.ConsumeIntegral<std::int64_t>();
    video.duration_seconds = input.ConsumeFloatingPoint<double>();
    video.api = input.ConsumeBool() ? ApiGeneration::v1 : ApiGeneration::classic;
    video.unique_id = input.ConsumeBool() ? "default" : input.ConsumeRandomLengthString(8);
    if (input.ConsumeBool())
      video.fields[input.ConsumeRandomLengthString(8)] = input.ConsumeRandomLengthString(8);
    if (input.ConsumeBool())
      video.tags.push_back(input.ConsumeRandomLengthString(8));
    video.status = static_cast<VideoStatus>(input.ConsumeIntegralInRange(0, 2));
    state.store.add(std::move(video));
  }
}

// The body as httplib would deliver it: plain chunks, or multipart parts one after another.
// The last bool says whether the body arrived whole.
httplib::ContentReader reader_for(FuzzedDataProvider& input) {
  auto plain = [&input](httplib::ContentReceiver receiver) {
    while (input.remaining_bytes() > 0 && input.ConsumeBool()) {
      const std::string chunk = input.ConsumeRandomLengthString(4096);
      if (!receiver(chunk.data(), chunk.size()))
        return false;
    }
    return input.ConsumeBool();
  };
  auto multipart = [&input](httplib::MultipartContentHeader header,
                            httplib::ContentReceiver receiver) {
    const int parts = input.ConsumeIntegralInRange(0, 6);
    for (int i = 0; i < parts; ++i) {
      httplib::MultipartFormData part;
      part.name = part_name(input);
      if (input.ConsumeBool())
        part.filename = input.ConsumeRandomLengthString(32);
      if (input.ConsumeBool())
        part.content_type = input.ConsumeRandomLengthString(24);
      if (!header(part))
        return false;
      while (input.remaining_bytes() > 0 && input.ConsumeBool()) {
        const std::string chunk = input.ConsumeRandomLengthString(8192);
        if (!receiver(chunk.data(), chunk.size()))
          return false;
      }
    }
    return input.remaining_bytes() == 0 || input.ConsumeBool();
  };
  return httplib::ContentReader(plain, multipart);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mavi::set_log_level(mavi::LogLevel::quiet);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  SandboxConfig config;
  config.store_dir = store_dir();
  config.callback_delay = std::chrono::hours(1);  // never delivered: dropped with the state
  config.quiet = true;
  if (input.ConsumeBool())
    config.api_key = kKey;
  config.faults.rate_limit_per_minute = input.ConsumeIntegralInRange(0, 2);
  {
    SandboxState state(config, nullptr);
    add_stored_videos(input, state);

    httplib::Request request;
    httplib::Response response;
    switch (input.ConsumeIntegralInRange(0, 3)) {
      case 0:
        request.headers.emplace("Authorization", kKey);
        break;
      case 1:
        request.headers.emplace("Authorization", std::string("Bearer ") + kKey);
        break;
      case 2:
        request.headers.emplace("Authorization", input.ConsumeRandomLengthString(32));
        break;
      default:
        break;
    }
    if (input.ConsumeBool()) {
      request.headers.emplace("Content-Type", input.ConsumeBool()
                                                  ? "multipart/form-data; boundary=x"
                                                  : input.ConsumeRandomLengthString(40));
    }
    if (input.ConsumeBool())
      request.headers.emplace("Content-Length", input.ConsumeRandomLengthString(24));
    const int params = input.ConsumeIntegralInRange(0, 6);
    for (int i = 0; i < params; ++i) {
      std::string name = param_name(input);
      request.params.emplace(std::move(name), input.ConsumeRandomLengthString(24));
    }

    const int route = input.ConsumeIntegralInRange(0, 5);
    switch (route) {
      case 0:
      case 1: {
        const auto reader = reader_for(input);
        handle_upload(state, request, response, reader,
                      route == 0 ? ApiGeneration::classic : ApiGeneration::v1);
        break;
      }
      case 2:
        if (authorized(state, request, response, ApiGeneration::classic))
          search_db(state, request, response);
        break;
      case 3:
        if (authorized(state, request, response, ApiGeneration::v1))
          get_metadata(state, request, response);
        break;
      case 4:
        request.body = input.ConsumeRemainingBytesAsString();
        if (authorized(state, request, response, ApiGeneration::v1))
          list_videos(state, request, response);
        break;
      default:
        admin_videos(state, request, response);
        break;
    }
    // Every answer is JSON that does not repeat the key (a dropped connection has none).
    if (!take_dropped_mark()) {
      const auto answer = nlohmann::json::parse(response.body, nullptr, false);
      if (answer.is_discarded() || !answer.is_object())
        std::abort();
      const std::string_view raw(reinterpret_cast<const char*>(data), size);
      if (response.body.find(kKey) != std::string::npos && raw.find(kKey) == raw.npos)
        std::abort();
    }
    state.dispatcher.stop();
  }
  // Only stored videos (VI...) may remain; never a temporary upload file.
  for (const auto& entry : std::filesystem::directory_iterator(store_dir())) {
    if (entry.path().filename().string().rfind("VI", 0) != 0)
      std::abort();
    std::filesystem::remove(entry.path());
  }
  return 0;
}

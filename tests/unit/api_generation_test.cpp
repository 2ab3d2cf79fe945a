// The API generation modules (src/upload/api_generation.hpp, classic_api.cpp, v1_api.cpp):
// the requests they build, how they read listings and status, their status words and hosts.
// No I/O: the one operation that needs the network gets a scripted Exchange.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "upload/api_generation.hpp"
#include "upload/listing.hpp"

namespace {

using mavi::ApiGeneration;
using mavi::VideoRecord;
using mavi::detail::ApiModule;
using mavi::detail::Endpoint;
using mavi::detail::ListQuery;
using mavi::detail::http::FormField;
using mavi::detail::http::Request;
using mavi::detail::http::Response;

const ApiGeneration kGenerations[] = {ApiGeneration::classic, ApiGeneration::v1};

Endpoint endpoint() {
  return Endpoint{
      "https://mavi.example", {"Accept: application/json", "Authorization: sk-KEY"}, "sk-KEY"};
}

mavi::TimeWindow window_ms(long long from, long long to) {
  using namespace std::chrono;
  return {system_clock::time_point(milliseconds(from)), system_clock::time_point(milliseconds(to))};
}

std::vector<std::pair<std::string, std::string>> fields_of(const Request& request) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const FormField& f : request.fields)
    fields.emplace_back(f.name, f.value);
  return fields;
}

// An Exchange that answers from a script and records what it was asked.
struct ScriptedServer {
  std::vector<Response> answers;
  std::vector<Request> requests;
  std::vector<std::string> whats;

  mavi::detail::Exchange exchange() {
    return [this](const Request& request, const std::string& what) {
      requests.push_back(request);
      whats.push_back(what);
      REQUIRE(requests.size() <= answers.size());
      return answers[requests.size() - 1];
    };
  }
};

Response answer(long status, std::string body) {
  Response r;
  r.http_status = status;
  r.body = std::move(body);
  return r;
}

// A searchDB/list_videos page of `count` videos VI<first>... uploaded at 1000 + their number;
// without data.total when `total` is negative.
std::string list_body(int first, int count, long long total) {
  nlohmann::json videos = nlohmann::json::array();
  for (int i = first; i < first + count; ++i) {
    videos.push_back({{"videoNo", "VI" + std::to_string(i)},
                      {"videoName", "clip" + std::to_string(i) + ".mp4"},
                      {"videoStatus", "UNPARSE"},
                      {"uploadTime", std::to_string(1000 + i)}});
  }
  nlohmann::json data{{"videoData", videos}};
  if (total >= 0)
    data["total"] = total;
  return nlohmann::json{{"code", "0000"}, {"msg", "ok"}, {"data", data}}.dump();
}

}  // namespace

TEST_CASE("every generation has a module that says which generation it is") {
  for (ApiGeneration api : kGenerations) {
    const ApiModule* module = mavi::detail::find_api_module(api);
    REQUIRE(module != nullptr);
    CHECK(module->generation() == api);
    CHECK(module->name() == mavi::to_string(api));
    CHECK(&mavi::detail::api_module(api) == module);
  }
  CHECK(mavi::detail::classic_api().name() == "classic");
  CHECK(mavi::detail::v1_api().name() == "v1");

  const auto unknown = static_cast<ApiGeneration>(99);
  CHECK(mavi::detail::find_api_module(unknown) == nullptr);
  CHECK_THROWS_MATCHES(mavi::detail::api_module(unknown), mavi::Error,
                       Catch::Predicate<mavi::Error>([](const mavi::Error& e) {
                         return e.kind() == mavi::Errc::invalid_argument;
                       }));
}

TEST_CASE("the one list of generations gives --api its words, paths and formats") {
  const std::vector<mavi::ApiGenerationInfo> all = mavi::api_generations();
  REQUIRE(all.size() == mavi::detail::api_modules().size());
  std::vector<std::string> names;
  for (const mavi::ApiGenerationInfo& info : all) {
    INFO(info.name);
    names.push_back(info.name);
    CHECK(info.name == mavi::to_string(info.api));
    CHECK(mavi::api_generation_from_string(info.name) == info.api);
    CHECK_FALSE(info.paths.empty());
    CHECK_FALSE(info.formats.empty());
    CHECK_FALSE(info.containers.empty());
  }
  CHECK(names == std::vector<std::string>{"classic", "v1", "v2"});
  CHECK_FALSE(mavi::api_generation_from_string("v9").has_value());
  CHECK_FALSE(mavi::api_generation_from_string("").has_value());
  CHECK_FALSE(mavi::api_generation_from_string("V1").has_value());
}

TEST_CASE("a client uses the default host its generation's module names") {
  for (ApiGeneration api : kGenerations) {
    mavi::ClientConfig config;
    config.api = api;
    const mavi::Client client(config);
    CHECK(client.config().base_url == mavi::detail::api_module(api).default_base_url());
  }
  CHECK(mavi::detail::classic_api().default_base_url() == mavi::kDefaultBaseUrl);
}

TEST_CASE("classic upload: the callback URI in the query, no form fields") {
  const ApiModule& classic = mavi::detail::classic_api();
  CHECK(classic.upload_path() == "/api/serve/video/upload");

  mavi::UploadOptions options;
  Request plain = classic.upload_request(endpoint(), options, "default");
  CHECK(plain.method == "POST");
  CHECK(plain.url == "https://mavi.example/api/serve/video/upload");
  CHECK(plain.headers == endpoint().headers);
  CHECK(plain.fields.empty());
  CHECK_FALSE(plain.file);  // the client adds the file part

  // v1's options mean nothing to classic: none becomes a field.
  options.callback_uri = "https://hooks.example/done?token=a b&x=1";
  options.tags = {"t1"};
  options.camera_model = "X100";
  options.latitude = 1.5;
  options.retain_original_video = true;
  Request with_callback = classic.upload_request(endpoint(), options, "scope");
  CHECK(with_callback.url ==
        "https://mavi.example/api/serve/video/upload"
        "?callBackUri=https%3A%2F%2Fhooks.example%2Fdone%3Ftoken%3Da%20b%26x%3D1");
  CHECK(with_callback.fields.empty());
}

TEST_CASE("v1 upload: one form field per option given, tags repeated, nothing in the query") {
  const ApiModule& v1 = mavi::detail::v1_api();
  CHECK(v1.upload_path() == "/serve/api/v1/upload");

  mavi::UploadOptions options;
  Request bare = v1.upload_request(endpoint(), options, "default");
  CHECK(bare.method == "POST");
  CHECK(bare.url == "https://mavi.example/serve/api/v1/upload");
  CHECK(bare.headers == endpoint().headers);
  CHECK(fields_of(bare) ==
        std::vector<std::pair<std::string, std::string>>{{"unique_id", "default"}});
  CHECK(v1.upload_request(endpoint(), options, "").fields.empty());

  options.callback_uri = "https://hooks.example/done?token=x";
  options.tags = {"beach", "2024"};
  options.datetime_taken = "2024-07-01 12:00:00";
  options.camera_model = "Pixel 8";
  options.latitude = 48.8566;
  options.longitude = -2.3522219;
  options.retain_original_video = false;
  options.video_transcription_prompt = "names of places";
  Request full = v1.upload_request(endpoint(), options, "scope-1");
  CHECK(full.url == "https://mavi.example/serve/api/v1/upload");
  CHECK(fields_of(full) == std::vector<std::pair<std::string, std::string>>{
                               {"callback", "https://hooks.example/done?token=x"},
                               {"unique_id", "scope-1"},
                               {"tags", "beach"},
                               {"tags", "2024"},
                               {"datetime_taken", "2024-07-01 12:00:00"},
                               {"camera_model", "Pixel 8"},
                               {"latitude", "48.8566"},
                               {"longitude", "-2.3522219"},
                               {"retain_original_video", "false"},
                               {"video_transcription_prompt", "names of places"},
                           });
  options.retain_original_video = true;
  CHECK(fields_of(v1.upload_request(endpoint(), options, "s"))[8] ==
        std::pair<std::string, std::string>{"retain_original_video", "true"});
}

TEST_CASE("v1 upload by URL: POST upload_url with url, callback and unique_id as a form") {
  const ApiModule& v1 = mavi::detail::v1_api();
  REQUIRE(v1.has_url_upload());
  CHECK(v1.url_upload_path() == "/serve/api/v1/upload_url");
  mavi::UploadOptions options;
  options.callback_uri = "https://hooks.example/done";
  const Request request =
      v1.url_upload_request(endpoint(), "http://cdn.example/a.mp4?sig=1", options, "scope-2");
  CHECK(request.method == "POST");
  CHECK(request.url == "https://mavi.example/serve/api/v1/upload_url");
  CHECK_FALSE(request.file.has_value());
  CHECK(fields_of(request) == std::vector<std::pair<std::string, std::string>>{
                                  {"url", "http://cdn.example/a.mp4?sig=1"},
                                  {"callback", "https://hooks.example/done"},
                                  {"unique_id", "scope-2"},
                              });
  // The other generations document no upload by URL.
  for (ApiGeneration api : {ApiGeneration::classic, ApiGeneration::v2}) {
    const ApiModule& module = mavi::detail::api_module(api);
    CHECK_FALSE(module.has_url_upload());
    CHECK_THROWS_AS(module.url_upload_request(endpoint(), "http://x/a.mp4", options, "u"),
                    mavi::Error);
  }
}

TEST_CASE("both generations read the upload answer the same way") {
  const std::string body = R"({"code":"0000","msg":"ok","data":{"videoNo":"VI9","status":"X"}})";
  for (ApiGeneration api : kGenerations) {
    const auto parsed = mavi::detail::api_module(api).read_upload_answer(200, body, "upload", "");
    CHECK(parsed.code == "0000");
    CHECK(parsed.video.video_no == "VI9");
    CHECK_THROWS_AS(mavi::detail::api_module(api).read_upload_answer(
                        200, R"({"code":"0409","msg":"dup"})", "upload", ""),
                    mavi::Error);
  }
}

TEST_CASE("classic listing: GET searchDB with page, pageSize and the window in milliseconds") {
  const ApiModule& classic = mavi::detail::classic_api();
  CHECK(classic.list_page_size() == 200);

  ListQuery all;
  all.video_name = "clip.mp4";  // searchDB cannot filter by name: not in the request
  const auto first = classic.list_request(endpoint(), all, 1);
  CHECK(first.request.method == "GET");
  CHECK(first.request.url == "https://mavi.example/api/serve/video/searchDB?page=1&pageSize=200");
  CHECK(first.request.json_body.empty());
  CHECK(first.request.headers == endpoint().headers);
  CHECK(first.what == "searchDB at " + first.request.url);

  ListQuery windowed;
  windowed.window = window_ms(1700000000000, 1700000600000);
  CHECK(classic.list_request(endpoint(), windowed, 3).request.url ==
        "https://mavi.example/api/serve/video/searchDB?page=3&pageSize=200"
        "&startTime=1700000000000&endTime=1700000600000");

  // The server applied the window: the module keeps every record it listed.
  const auto page = classic.read_list_answer(200, list_body(1, 3, 3), "searchDB", "", windowed);
  CHECK(page.listed == 3);
  CHECK(page.videos.size() == 3);
  CHECK(page.total == 3);
}

TEST_CASE("v1 listing: POST list_videos with page, size, unique_id and the name as JSON") {
  const ApiModule& v1 = mavi::detail::v1_api();
  CHECK(v1.list_page_size() == 200);

  ListQuery query;
  query.unique_id = "scope-1";
  query.video_name = "clip.mp4";
  const auto named = v1.list_request(endpoint(), query, 2);
  CHECK(named.request.method == "POST");
  CHECK(named.request.url == "https://mavi.example/serve/api/v1/list_videos");
  CHECK(named.request.headers == endpoint().headers);
  CHECK(named.what == "list_videos at https://mavi.example/serve/api/v1/list_videos");
  CHECK(nlohmann::json::parse(named.request.json_body) ==
        nlohmann::json{
            {"page", 2}, {"size", 200}, {"unique_id", "scope-1"}, {"video_name", "clip.mp4"}});

  query.video_name.clear();
  CHECK(nlohmann::json::parse(v1.list_request(endpoint(), query, 1).request.json_body) ==
        nlohmann::json{{"page", 1}, {"size", 200}, {"unique_id", "scope-1"}});
}

TEST_CASE("v1 listing: the window is applied to what list_videos answers") {
  const ApiModule& v1 = mavi::detail::v1_api();
  // Upload times 1001..1005; a record without an upload time is kept.
  nlohmann::json body = nlohmann::json::parse(list_body(1, 5, 6));
  body["data"]["videoData"].push_back({{"videoNo", "VI-undated"}, {"videoName", "x.mp4"}});
  ListQuery query;
  query.window = window_ms(1002, 1004);
  const auto page = v1.read_list_answer(200, body.dump(), "list_videos", "", query);
  CHECK(page.listed == 6);  // paging counts what the server listed
  CHECK(page.total == 6);
  std::vector<std::string> kept;
  for (const auto& v : page.videos)
    kept.push_back(v.video_no);
  CHECK(kept == std::vector<std::string>{"VI2", "VI3", "VI4", "VI-undated"});

  query.window.reset();
  CHECK(v1.read_list_answer(200, body.dump(), "list_videos", "", query).videos.size() == 6);
}

TEST_CASE("v1 status: one get_metadata request with video_no and unique_id escaped") {
  const ApiModule& v1 = mavi::detail::v1_api();
  ScriptedServer server;
  server.answers = {
      answer(200, R"({"code":"0000","data":{"video_no":"VI 1","status":"PARSE"}})"),
      answer(404, ""),
  };
  ListQuery query;
  query.unique_id = "team a";
  query.window = window_ms(0, 1);  // not needed by get_metadata
  const auto found = v1.status(endpoint(), server.exchange(), "VI 1", query);
  REQUIRE(found);
  CHECK(found->video_no == "VI 1");
  CHECK(found->video_status == "PARSE");
  REQUIRE(server.requests.size() == 1);
  CHECK(server.requests[0].method == "GET");
  CHECK(server.requests[0].url ==
        "https://mavi.example/serve/api/v1/get_metadata?video_no=VI%201&unique_id=team%20a");
  CHECK(server.requests[0].headers == endpoint().headers);
  // The message names the endpoint, not the query.
  CHECK(server.whats[0] == "get_metadata at https://mavi.example/serve/api/v1/get_metadata");

  CHECK_FALSE(v1.status(endpoint(), server.exchange(), "VI-unknown", query));
}

TEST_CASE("classic status: searchDB is walked page by page until the video turns up or pages end") {
  const ApiModule& classic = mavi::detail::classic_api();
  ScriptedServer server;
  // A full page (200), then a short one: the walk stops after the short page (the answers
  // give no total, and a third request would fail the test).
  server.answers = {answer(200, list_body(1, 200, -1)), answer(200, list_body(201, 3, -1))};
  ListQuery query;
  query.window = window_ms(1000, 2000);
  const auto found = classic.status(endpoint(), server.exchange(), "VI202", query);
  REQUIRE(found);
  CHECK(found->video_no == "VI202");
  REQUIRE(server.requests.size() == 2);
  CHECK(server.requests[1].url ==
        "https://mavi.example/api/serve/video/searchDB?page=2&pageSize=200"
        "&startTime=1000&endTime=2000");

  // A full page that holds the whole total: no second request.
  ScriptedServer exact;
  exact.answers = {answer(200, list_body(1, 200, 200))};
  CHECK_FALSE(classic.status(endpoint(), exact.exchange(), "VI-none", {}));
  CHECK(exact.requests.size() == 1);

  ScriptedServer empty;
  empty.answers = {answer(200, list_body(1, 0, 0))};
  CHECK_FALSE(classic.status(endpoint(), empty.exchange(), "VI1", {}));
  CHECK(empty.requests.size() == 1);
}

TEST_CASE("the listing walk reports the matching record uploaded last") {
  const ApiModule& classic = mavi::detail::classic_api();
  ScriptedServer server;
  // The same name twice, the later upload listed first.
  server.answers = {answer(200, R"({"code":"0000","data":{"total":3,"videoData":[
        {"videoNo":"VI-new","videoName":"a.mp4","uploadTime":"2000"},
        {"videoNo":"VI-b","videoName":"b.mp4","uploadTime":"3000"},
        {"videoNo":"VI-old","videoName":"a.mp4","uploadTime":"1000"}]}})")};
  const auto found = mavi::detail::find_upload(classic, endpoint(), server.exchange(), {},
                                               mavi::UploadIdentity{"a.mp4", std::nullopt});
  REQUIRE(found);
  CHECK(found->video_no == "VI-new");
}

TEST_CASE("an upload is recognised by its name, its stem, or its size, not by MAVI's own name") {
  using mavi::UploadIdentity;
  using mavi::detail::recognises;
  mavi::VideoRecord renamed;
  renamed.video_name = "1be6a69f3c6e49bf986235d68807ab1f";  // v1's upload example
  renamed.size = "3284512";
  CHECK(recognises(UploadIdentity{"clip.mp4", 3284512}, renamed));
  CHECK_FALSE(recognises(UploadIdentity{"clip.mp4", 3284513}, renamed));
  CHECK_FALSE(recognises(UploadIdentity{"clip.mp4", std::nullopt}, renamed));
  mavi::VideoRecord stem;
  stem.video_name = "clip";  // list_videos' example: the name without its extension
  CHECK(recognises(UploadIdentity{"clip.mp4", std::nullopt}, stem));
  CHECK_FALSE(recognises(UploadIdentity{"clip2.mp4", std::nullopt}, stem));
  mavi::VideoRecord unsized;
  unsized.video_name = "other.mp4";
  unsized.size = "not a number";
  CHECK_FALSE(recognises(UploadIdentity{"clip.mp4", 0}, unsized));
}

TEST_CASE("the listing walk finds a renamed upload by size, with the server's strings") {
  const ApiModule& v1 = mavi::detail::v1_api();
  ScriptedServer server;
  server.answers = {answer(200, R"({"code":"0000","data":{"total_count":"2","page_size":"200",
        "videos":[{"video_no":"VI-1","video_name":"aaaa","size":"100","create_time":"1000"},
                  {"video_no":"VI-2","video_name":"bbbb","size":"4242","create_time":"2000"}]}})")};
  const auto found = mavi::detail::find_upload(v1, endpoint(), server.exchange(), {},
                                               mavi::UploadIdentity{"clip.mp4", 4242});
  REQUIRE(found);
  CHECK(found->video_no == "VI-2");
  CHECK(found->size == "4242");
  REQUIRE(server.requests.size() == 1);
  // The server is not asked to filter by a name it may not keep.
  CHECK(server.requests[0].json_body.find("video_name") == std::string::npos);
}

TEST_CASE("status words: every documented final word is final, in one classifier") {
  using mavi::processing_state;
  using mavi::ProcessingState;
  CHECK(processing_state("PARSE") == ProcessingState::ready);
  CHECK(processing_state("SUCCESS") == ProcessingState::ready);
  CHECK(processing_state("FAIL") == ProcessingState::failed);
  CHECK(processing_state("FAILED") == ProcessingState::failed);
  CHECK(processing_state("PARSE_ERROR") == ProcessingState::failed);
  CHECK(processing_state(" parse_error ") == ProcessingState::failed);
  CHECK(processing_state("UNPARSE") == ProcessingState::pending);
  CHECK(processing_state("WAITING") == ProcessingState::pending);
  CHECK(processing_state("UPLOADING") == ProcessingState::pending);
  CHECK(processing_state("") == ProcessingState::pending);
  CHECK(processing_state("INDEXING") == ProcessingState::unknown);
  for (ApiGeneration api : kGenerations) {
    const ApiModule& module = mavi::detail::api_module(api);
    for (const char* word : {"PARSE", "FAIL", "FAILED", "PARSE_ERROR", "SUCCESS"})
      CHECK(module.is_final_status(word));
    // Unknown is not final: --wait polls it until its timeout.
    for (const char* word : {"UNPARSE", "", "INDEXING"})
      CHECK_FALSE(module.is_final_status(word));
  }
}

TEST_CASE("each generation paces by its documented limits unless told otherwise") {
  // api-tools.memories.ai/platform/rate-limits: upload 1 a minute, list videos 5 a second,
  // task status 1 a second; v2: 1 request a second per account, shared by every request.
  const auto classic = mavi::detail::classic_api().documented_limits();
  CHECK(classic.uploads == 1);
  CHECK(classic.listings == 300);
  CHECK(classic.status == 0);  // classic's status is a listing scan, paced as one
  CHECK_FALSE(classic.one_pace);
  const auto v1 = mavi::detail::v1_api().documented_limits();
  CHECK(v1.uploads == 1);
  CHECK(v1.listings == 300);
  CHECK(v1.status == 60);
  CHECK(v1.deletes == 300);
  CHECK_FALSE(v1.one_pace);
  const auto v2 = mavi::detail::v2_api().documented_limits();
  CHECK(v2.uploads == 60);
  CHECK(v2.status == 60);
  CHECK(v2.deletes == 60);
  CHECK(v2.one_pace);
}

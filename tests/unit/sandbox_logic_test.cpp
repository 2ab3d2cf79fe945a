// mavi-sandbox's decisions without sockets: fault draws, the rate-limit window, the video
// registry and the listing handlers called directly.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sandbox/api_common.hpp"
#include "sandbox/fault_injector.hpp"
#include "sandbox/routes.hpp"
#include "sandbox/video_store.hpp"

using namespace mavi::cli::sandbox;

TEST_CASE("fault rates 0 and 1 are never and always") {
  FaultInjector none({});
  FaultOptions all_drop;
  all_drop.drop_rate = 1;
  FaultInjector drop(all_drop);
  FaultOptions all_fail;
  all_fail.fail_rate = 1;
  FaultInjector fail(all_fail);
  bool saw_500 = false, saw_503 = false;
  for (int i = 0; i < 200; ++i) {
    CHECK(none.decide_upload() == UploadFault::none);
    CHECK(drop.decide_upload() == UploadFault::drop);
    const auto f = fail.decide_upload();
    CHECK((f == UploadFault::fail_500 || f == UploadFault::fail_503));
    saw_500 |= f == UploadFault::fail_500;
    saw_503 |= f == UploadFault::fail_503;
  }
  CHECK(saw_500);
  CHECK(saw_503);
}

TEST_CASE("the same seed gives the same fault sequence, rates are roughly honoured") {
  FaultOptions options;
  options.fail_rate = 0.3;
  options.seed = 42;
  FaultInjector a(options), b(options);
  int failures = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto fa = a.decide_upload();
    CHECK(fa == b.decide_upload());
    failures += fa != UploadFault::none;
  }
  CHECK(failures > 450);
  CHECK(failures < 750);
}

TEST_CASE("the rate limit admits N per sliding minute and says how long to wait") {
  FaultOptions options;
  options.rate_limit_per_minute = 2;
  FaultInjector limiter(options);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  CHECK_FALSE(limiter.admit_upload(t0));
  CHECK_FALSE(limiter.admit_upload(t0 + std::chrono::seconds(10)));
  const auto wait = limiter.admit_upload(t0 + std::chrono::seconds(20));
  REQUIRE(wait);
  CHECK(*wait == 40);  // until the first admission is a minute old
  CHECK_FALSE(limiter.admit_upload(t0 + std::chrono::seconds(60)));
  CHECK(limiter.admit_upload(t0 + std::chrono::seconds(61)));
  FaultInjector unlimited({});
  for (int i = 0; i < 100; ++i)
    CHECK_FALSE(unlimited.admit_upload(t0));
}

TEST_CASE("v2 endpoints: a window of their own each, or the classic limits without one") {
  using mavi::cli::sandbox::Limited;
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  FaultOptions options;
  options.rate_limit_per_minute = 1;
  options.status_per_second = 5;
  {
    // No v2 limit: a v2 upload takes the classic upload slot, and is counted as an upload.
    FaultInjector limiter(options);
    CHECK_FALSE(limiter.admit(Limited::v2_upload, t0));
    CHECK(limiter.admit(Limited::upload, t0 + std::chrono::seconds(2)));
    CHECK(limiter.admit(Limited::v2_signed_url, t0 + std::chrono::seconds(2)));
    CHECK(limiter.rate_limited_answers(Limited::upload) == 2);
  }
  options.v2_per_second = 1;
  FaultInjector limiter(options);
  // Each v2 endpoint: 1 a second, apart from the others and from the classic limits.
  CHECK_FALSE(limiter.admit(Limited::v2_upload, t0));
  CHECK_FALSE(limiter.admit(Limited::v2_signed_url, t0));
  CHECK_FALSE(limiter.admit(Limited::v2_metadata, t0));
  CHECK_FALSE(limiter.admit(Limited::v2_delete, t0));
  CHECK_FALSE(limiter.admit(Limited::upload, t0));
  CHECK(limiter.admit(Limited::v2_upload, t0 + std::chrono::milliseconds(500)));
  CHECK(limiter.admit(Limited::v2_metadata, t0 + std::chrono::milliseconds(500)));
  CHECK_FALSE(limiter.admit(Limited::v2_upload, t0 + std::chrono::seconds(1)));
  CHECK_FALSE(limiter.admit(Limited::v2_upload, t0 + std::chrono::seconds(2)));
  // Refusals are counted under the kind they resemble (the stats keep three counts).
  CHECK(limiter.rate_limited_answers(Limited::upload) == 1);
  CHECK(limiter.rate_limited_answers(Limited::status) == 1);
}

TEST_CASE("the video store gives unique numbers and filters listings") {
  VideoStore store;
  std::set<std::string> numbers;
  for (int i = 0; i < 1000; ++i)
    numbers.insert(store.next_video_no());
  CHECK(numbers.size() == 1000);

  for (int i = 0; i < 6; ++i) {
    StoredVideo v;
    v.video_no = store.next_video_no();
    v.video_name = "clip" + std::to_string(i) + ".mp4";
    v.upload_time_ms = 1000 + i * 10;
    v.api = i < 4 ? ApiGeneration::classic : ApiGeneration::v1;
    v.unique_id = i == 5 ? "scope" : "default";
    store.add(v);
  }
  REQUIRE(store.set_status(store.list()[1].video_no, VideoStatus::parse));
  CHECK_FALSE(store.set_status("VI0", VideoStatus::parse));

  VideoQuery classic;
  classic.api = ApiGeneration::classic;
  CHECK(store.list(classic).size() == 4);
  classic.start_time_ms = 1010;
  classic.end_time_ms = 1020;
  CHECK(store.list(classic).size() == 2);
  classic.status = VideoStatus::parse;
  REQUIRE(store.list(classic).size() == 1);
  CHECK(store.list(classic)[0].video_name == "clip1.mp4");
  VideoQuery scoped;
  scoped.unique_id = "scope";
  CHECK(store.list(scoped).size() == 1);
  CHECK(parse_video_status("PARSE") == VideoStatus::parse);
  CHECK_FALSE(parse_video_status("parse"));
}

TEST_CASE("searchDB and list_videos handlers page what the store holds") {
  SandboxConfig config;
  config.callback_delay = std::chrono::milliseconds(0);
  SandboxState state(config, nullptr);
  for (int i = 0; i < 45; ++i) {
    StoredVideo v;
    v.video_no = state.store.next_video_no();
    v.video_name = "v" + std::to_string(i) + ".mp4";
    v.upload_time_ms = 5000 + i;
    v.duration_seconds = 12.4;
    v.api = i % 3 == 0 ? ApiGeneration::v1 : ApiGeneration::classic;
    state.store.add(v);
  }

  httplib::Request request;
  httplib::Response response;
  request.params = {{"page", "2"}, {"pageSize", "20"}};
  search_db(state, request, response);
  auto body = nlohmann::json::parse(response.body);
  CHECK(body["code"] == "0000");
  CHECK(body["data"]["total"] == 30);
  CHECK(body["data"]["page"] == 2);
  CHECK(body["data"]["current"] == 2);
  REQUIRE(body["data"]["videoData"].size() == 10);
  CHECK(body["data"]["videoData"][0]["duration"] == "12");
  CHECK(body["data"]["videoData"][0]["uploadTime"].is_string());

  httplib::Request list;
  httplib::Response listed;
  list.body = R"({"page":2,"size":10})";
  list_videos(state, list, listed);
  body = nlohmann::json::parse(listed.body);
  CHECK(body["success"] == true);
  CHECK(body["data"]["total_count"] == 15);
  CHECK(body["data"]["videos"].size() == 5);
  CHECK(body["data"]["videos"][0]["duration"] == 12);

  httplib::Response bad;
  list.body = "not json";
  list_videos(state, list, bad);
  CHECK(nlohmann::json::parse(bad.body)["code"] == "0001");
}

// Found while writing tests/fuzz/sandbox_fuzz.cpp: a filename with invalid UTF-8 made every
// answer that listed it throw (nlohmann's dump), and page numbers near INT64_MAX overflowed.
TEST_CASE("fuzz regressions: invalid UTF-8 names are listed, huge pages are empty") {
  SandboxConfig config;
  config.callback_delay = std::chrono::milliseconds(0);
  SandboxState state(config, nullptr);
  StoredVideo v;
  v.video_no = state.store.next_video_no();
  v.video_name = "bad\xff\xfe name.mp4";
  v.api = ApiGeneration::classic;
  state.store.add(v);
  v.video_no = state.store.next_video_no();
  v.api = ApiGeneration::v1;
  v.fields["camera_model"] = "\xc3";
  state.store.add(v);

  httplib::Request request;
  httplib::Response response;
  search_db(state, request, response);
  auto body = nlohmann::json::parse(response.body);
  REQUIRE(body["data"]["videoData"].size() == 1);
  CHECK(body["data"]["videoData"][0]["videoName"] == "bad\xef\xbf\xbd\xef\xbf\xbd name.mp4");

  httplib::Response listed;
  request.body = "{}";
  list_videos(state, request, listed);
  CHECK(nlohmann::json::parse(listed.body)["data"]["videos"].size() == 1);

  httplib::Response admin;
  admin_videos(state, request, admin);
  CHECK(nlohmann::json::parse(admin.body)["count"] == 2);

  httplib::Response far;
  request.params = {{"page", "9223372036854775807"}, {"pageSize", "200"}};
  search_db(state, request, far);
  body = nlohmann::json::parse(far.body);
  CHECK(body["code"] == "0000");
  CHECK(body["data"]["videoData"].empty());

  httplib::Response far_v1;
  request.body = R"({"page":9223372036854775807,"size":9223372036854775807})";
  list_videos(state, request, far_v1);
  body = nlohmann::json::parse(far_v1.body);
  CHECK(body["code"] == "0000");
  CHECK(body["data"]["videos"].empty());
  request.body = R"({"page":1,"size":9223372036854775807})";
  httplib::Response all_v1;
  list_videos(state, request, all_v1);
  CHECK(nlohmann::json::parse(all_v1.body)["data"]["videos"].size() == 1);
}

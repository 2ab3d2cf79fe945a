// The generations' delete requests (src/upload/classic_api.cpp, v1_api.cpp, v2_api.cpp): method,
// URL, body, the documented per-request limits (500, 100, 1) and the answer read. No I/O.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "mavi/error.hpp"
#include "upload/api_generation.hpp"

namespace {

using mavi::detail::Endpoint;

Endpoint endpoint() {
  return Endpoint{
      "https://mavi.example", {"Accept: application/json", "Authorization: sk-KEY"}, "sk-KEY"};
}

std::vector<std::string> ids(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back("VI" + std::to_string(i));
  return out;
}

mavi::Errc kind_of_request(const mavi::detail::ApiModule& module, std::size_t n) {
  try {
    module.delete_request(endpoint(), ids(n), "default");
  } catch (const mavi::Error& e) {
    return e.kind();
  }
  return mavi::Errc::internal;  // no error: not what these tests expect
}

}  // namespace

TEST_CASE("classic delete: DELETE with a JSON array, 500 a call", "[unit][delete]") {
  const auto& api = mavi::detail::classic_api();
  CHECK(api.max_delete_batch() == 500);
  const auto prepared = api.delete_request(endpoint(), {"VI1", "VI2"}, "ignored");
  CHECK(prepared.request.method == "DELETE");
  CHECK(prepared.request.url == "https://mavi.example/api/serve/video/delete");
  CHECK(nlohmann::json::parse(prepared.request.json_body) == nlohmann::json({"VI1", "VI2"}));
  CHECK(prepared.request.headers == endpoint().headers);
  CHECK(prepared.what.find("sk-KEY") == std::string::npos);
  CHECK_NOTHROW(api.delete_request(endpoint(), ids(500), ""));
  CHECK(kind_of_request(api, 501) == mavi::Errc::invalid_argument);
  CHECK(kind_of_request(api, 0) == mavi::Errc::invalid_argument);
}

TEST_CASE("v1 delete: POST delete_videos?unique_id, 100 a request", "[unit][delete]") {
  const auto& api = mavi::detail::v1_api();
  CHECK(api.max_delete_batch() == 100);
  const auto prepared = api.delete_request(endpoint(), {"VI1"}, "my scope");
  CHECK(prepared.request.method == "POST");
  CHECK(prepared.request.url ==
        "https://mavi.example/serve/api/v1/delete_videos?unique_id=my%20scope");
  CHECK(nlohmann::json::parse(prepared.request.json_body) == nlohmann::json({"VI1"}));
  CHECK(!prepared.request.file);
  CHECK_NOTHROW(api.delete_request(endpoint(), ids(100), "default"));
  CHECK(kind_of_request(api, 101) == mavi::Errc::invalid_argument);
}

TEST_CASE("v2 delete: DELETE /{asset_id}, one asset a request", "[unit][delete]") {
  const auto& api = mavi::detail::v2_api();
  CHECK(api.max_delete_batch() == 1);
  const auto prepared = api.delete_request(endpoint(), {"re_123"}, "default");
  CHECK(prepared.request.method == "DELETE");
  CHECK(prepared.request.url == "https://mavi.example/serve/api/v2/re_123");
  CHECK(prepared.request.json_body.empty());
  CHECK(kind_of_request(api, 2) == mavi::Errc::invalid_argument);
  CHECK(kind_of_request(api, 0) == mavi::Errc::invalid_argument);
}

TEST_CASE("delete answers: 0000 and 200 succeed, others are errors", "[unit][delete]") {
  for (const auto* api :
       {&mavi::detail::classic_api(), &mavi::detail::v1_api(), &mavi::detail::v2_api()}) {
    INFO(api->name());
    CHECK_NOTHROW(api->read_delete_answer(200, R"({"code":"0000","msg":"success"})", "d", "k"));
    CHECK_NOTHROW(api->read_delete_answer(200, R"({"code":200,"msg":"ok","data":null})", "d", "k"));
    try {
      api->read_delete_answer(200, R"({"code":"0404","msg":"Resource does not exist"})", "d", "k");
      FAIL("a 0404 answer was taken for a success");
    } catch (const mavi::Error& e) {
      CHECK(std::string(e.what()).find("Resource does not exist") != std::string::npos);
    }
    try {
      api->read_delete_answer(401, R"({"code":"0401","msg":"bad key k"})", "d", "k");
      FAIL("a 401 answer was taken for a success");
    } catch (const mavi::Error& e) {
      CHECK(e.kind() == mavi::Errc::bad_auth);
    }
  }
}

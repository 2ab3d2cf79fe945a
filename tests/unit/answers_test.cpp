// MAVI answers to results and error kinds (no I/O): src/upload/answers.hpp.
#include <catch2/catch.hpp>

#include "mavi/error.hpp"
#include "upload/answers.hpp"

namespace {

using mavi::Errc;
using mavi::detail::error_kind;
using mavi::detail::parse_upload_answer;

Errc kind_of(long status, const std::string& body) {
  try {
    parse_upload_answer(status, body, "upload", "sk-SECRET");
  } catch (const mavi::Error& e) {
    return e.kind();
  }
  return Errc::internal;  // no error
}

}  // namespace

TEST_CASE("codes and HTTP statuses map to the most specific kind") {
  CHECK(error_kind(401, "") == Errc::bad_auth);
  CHECK(error_kind(200, "0401") == Errc::bad_auth);
  CHECK(error_kind(200, "0402") == Errc::no_credits);
  CHECK(error_kind(200, "0403") == Errc::account_disabled);
  // MAVI's own server errors are service-wide whatever the HTTP status (a batch pauses).
  CHECK(error_kind(200, "0500") == Errc::server_error);
  CHECK(error_kind(200, "0503") == Errc::server_error);
  CHECK(error_kind(200, "0409") == Errc::duplicate);
  CHECK(error_kind(200, "0429") == Errc::rate_limited);
  CHECK(error_kind(429, "") == Errc::rate_limited);
  CHECK(error_kind(200, "0001") == Errc::server_error);  // retried, as MAVI's examples do
  CHECK(error_kind(400, "0001") == Errc::bad_request);
  CHECK(error_kind(200, "0003") == Errc::bad_request);
  CHECK(error_kind(200, "0003") == Errc::bad_request);
  CHECK(error_kind(200, "9009") == Errc::permission);
  CHECK(error_kind(503, "") == Errc::server_error);
  CHECK(error_kind(404, "") == Errc::bad_request);
  CHECK(error_kind(200, "7777") == Errc::http);
}

TEST_CASE("a success answer: code as a string or an integer, numbers as data fields") {
  const auto a = parse_upload_answer(
      200, R"({"code":"0000","msg":"ok","data":{"videoNo":"VI1","videoName":"a.mp4",
              "videoStatus":"UNPARSE","uploadTime":"1700000000000","duration":"12"}})",
      "upload", "");
  CHECK(a.code == "0000");
  CHECK(a.video.video_no == "VI1");
  CHECK(a.video.duration == "12");
  const auto b = parse_upload_answer(
      200, R"({"code":0,"msg":"ok","data":{"videoNo":"VI2","uploadTime":1700000000000}})", "upload",
      "");
  CHECK(b.code == "0000");
  CHECK(b.video.upload_time == "1700000000000");
  const auto v1 = parse_upload_answer(
      200, R"({"code":"0000","success":true,"data":{"video_no":"VI3","status":"PARSE"}})", "upload",
      "");
  CHECK(v1.video.video_no == "VI3");
  CHECK(v1.video.video_status == "PARSE");
}

TEST_CASE("answers that break the contract are bad_response, errors keep their kind") {
  CHECK(kind_of(200, "") == Errc::bad_response);
  CHECK(kind_of(200, "not json") == Errc::bad_response);
  CHECK(kind_of(200, R"({"msg":"no code"})") == Errc::bad_response);
  CHECK(kind_of(200, R"({"code":"0000","data":{}})") == Errc::bad_response);
  CHECK(kind_of(200, R"({"code":"0000"})") == Errc::bad_response);
  CHECK(kind_of(502, "<html>bad gateway</html>") == Errc::server_error);
  CHECK(kind_of(401, "") == Errc::bad_auth);
  CHECK(kind_of(200, R"({"code":429,"msg":"busy"})") == Errc::rate_limited);
  CHECK(kind_of(302, "") == Errc::http);
}

TEST_CASE("error messages and excerpts never carry the key") {
  try {
    parse_upload_answer(200, "oops sk-SECRET and Bearer abc.def, more", "upload", "sk-SECRET");
    FAIL("no error");
  } catch (const mavi::Error& e) {
    const std::string message = e.what();
    CHECK(message.find("sk-SECRET") == std::string::npos);
    CHECK(message.find("abc.def") == std::string::npos);
    CHECK(message.find("oops <redacted>") != std::string::npos);
  }
  try {
    parse_upload_answer(200, R"({"code":"0401","msg":"bad key sk-SECRET"})", "upload", "sk-SECRET");
    FAIL("no error");
  } catch (const mavi::Error& e) {
    CHECK(std::string(e.what()).find("sk-SECRET") == std::string::npos);
  }
  const std::string long_body(5000, 'x');
  CHECK(mavi::detail::excerpt(long_body, "").size() <= 203);
}

// Found while writing tests/fuzz/response_fuzz.cpp: the code went into messages verbatim and a
// huge "total" threw std::out_of_range (not a mavi::Error).
TEST_CASE("fuzz regressions: an echoed or huge code, a total that is not a count") {
  std::string message;
  try {
    parse_upload_answer(200, R"({"code":"sk-SECRET","msg":"x"})", "upload", "sk-SECRET");
  } catch (const mavi::Error& e) {
    message = e.what();
  }
  CHECK(message.find("sk-SECRET") == std::string::npos);
  CHECK(message.find("<redacted>") != std::string::npos);

  try {
    parse_upload_answer(500, R"({"code":")" + std::string(100'000, '7') + R"("})", "upload", "k");
  } catch (const mavi::Error& e) {
    message = e.what();
  }
  CHECK(message.size() < 400);

  using mavi::detail::parse_video_list;
  for (const char* total : {R"("99999999999999999999999")", "99999999999999999999999", R"("-5")",
                            R"("12abc")", "1e30"}) {
    INFO(total);
    const std::string body =
        std::string(R"({"code":"0000","data":{"videoData":[],"total":)") + total + "}}";
    CHECK(parse_video_list(200, body, "list", "k").total == -1);
  }
  CHECK(parse_video_list(200, R"({"code":"0000","data":{"videos":[],"total_count":"42"}})", "list",
                         "k")
            .total == 42);
  CHECK(
      parse_video_list(200, R"({"code":"0000","data":{"videos":[],"total_count":7}})", "list", "k")
          .total == 7);
}

// The upload's retry rules without a network (src/upload/lookup.hpp, retry.hpp): when to look
// a video up before sending it again, the lookup's window, and the backoff between attempts.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mavi/error.hpp"
#include "upload/lookup.hpp"
#include "upload/retry.hpp"

namespace {

using mavi::Errc;
using mavi::TimeWindow;
using mavi::VideoRecord;
using mavi::detail::ResendGuard;
using namespace std::chrono;

// A guard whose lookups are answered by `answers` (nullopt: not found) and recorded.
struct Fixture {
  std::vector<std::optional<VideoRecord>> answers;
  std::vector<TimeWindow> windows;
  std::vector<std::string> log;
  system_clock::time_point first_attempt = system_clock::now() - minutes(5);
  ResendGuard guard{"clip.mp4",
                    [this](const TimeWindow& window) {
                      windows.push_back(window);
                      REQUIRE(windows.size() <= answers.size());
                      return answers[windows.size() - 1];
                    },
                    [this](const std::string& line) { log.push_back(line); }, first_attempt,
                    seconds(120)};
};

VideoRecord video(std::string video_no) {
  VideoRecord v;
  v.video_no = std::move(video_no);
  v.video_name = "clip.mp4";
  return v;
}

}  // namespace

TEST_CASE("resend rule: only a failure after the whole body went out asks for a lookup") {
  Fixture f;
  CHECK_FALSE(f.guard.lookup_pending());
  f.guard.after_retryable_failure(Errc::server_error, false);  // the server has a part only
  CHECK_FALSE(f.guard.lookup_pending());
  f.guard.after_retryable_failure(Errc::rate_limited, true);  // refused before storing
  CHECK_FALSE(f.guard.lookup_pending());
  for (Errc kind : {Errc::network, Errc::timeout, Errc::server_error}) {
    Fixture g;
    g.guard.after_retryable_failure(kind, true);
    CHECK(g.guard.lookup_pending());
  }
}

TEST_CASE("resend rule: a lookup that finds nothing clears it, one that fails keeps it") {
  Fixture f;
  f.answers = {std::nullopt};
  f.guard.after_retryable_failure(Errc::timeout, true);
  CHECK_FALSE(f.guard.look_up());
  CHECK_FALSE(f.guard.lookup_pending());

  ResendGuard failing(
      "clip.mp4",
      [](const TimeWindow&) -> std::optional<VideoRecord> {
        throw mavi::Error(Errc::network, "searchDB: connection refused");
      },
      [](const std::string&) {}, system_clock::now(), seconds(120));
  failing.after_retryable_failure(Errc::network, true);
  CHECK_THROWS_AS(failing.look_up(), mavi::Error);
  CHECK(failing.lookup_pending());
}

TEST_CASE("resend rule: the lookup searches from the first attempt minus the clock skew to now") {
  Fixture f;
  f.answers = {video("VI7")};
  f.guard.after_retryable_failure(Errc::network, true);
  const auto before = system_clock::now();
  const auto found = f.guard.look_up();
  const auto after = system_clock::now();
  REQUIRE(found);
  CHECK(found->video_no == "VI7");
  REQUIRE(f.windows.size() == 1);
  CHECK(f.windows[0].from == f.first_attempt - seconds(120));
  CHECK(f.windows[0].to >= before + seconds(120));
  CHECK(f.windows[0].to <= after + seconds(120));
  REQUIRE(f.log.size() == 2);
  CHECK(f.log[0].find("looking for clip.mp4") != std::string::npos);
  CHECK(f.log[1].find("already uploaded as VI7") != std::string::npos);
}

TEST_CASE("resend rule: a duplicate answer means an earlier attempt went through, on a retry") {
  CHECK_FALSE(ResendGuard::duplicate_of_earlier_attempt(Errc::duplicate, 1));
  CHECK(ResendGuard::duplicate_of_earlier_attempt(Errc::duplicate, 2));
  CHECK(ResendGuard::duplicate_of_earlier_attempt(Errc::duplicate, 5));
  CHECK_FALSE(ResendGuard::duplicate_of_earlier_attempt(Errc::server_error, 2));
}

TEST_CASE("backoff doubles from the base before each retry, up to the cap, less the jitter") {
  mavi::RetryPolicy policy;
  policy.base_backoff = milliseconds(1000);
  policy.max_backoff = milliseconds(5000);
  policy.jitter = 0;
  CHECK(mavi::detail::backoff_for(policy, 2) == milliseconds(1000));
  CHECK(mavi::detail::backoff_for(policy, 3) == milliseconds(2000));
  CHECK(mavi::detail::backoff_for(policy, 4) == milliseconds(4000));
  CHECK(mavi::detail::backoff_for(policy, 5) == milliseconds(5000));
  CHECK(mavi::detail::backoff_for(policy, 60) == milliseconds(5000));

  policy.jitter = 0.5;
  for (int i = 0; i < 100; ++i) {
    const auto delay = mavi::detail::backoff_for(policy, 3);
    CHECK(delay >= milliseconds(1000));
    CHECK(delay <= milliseconds(2000));
  }
}

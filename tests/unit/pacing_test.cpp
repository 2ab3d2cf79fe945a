// The upload pacer (src/upload/pacing.hpp): slots 60/N s apart, shared per key, and a
// cancelled wait gives its slot back. The schedule is read through next_slot(), so no test
// depends on how fast the machine is; the one test that sleeps only checks lower bounds.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "upload/pacing.hpp"

namespace {

using mavi::detail::Pacer;
using std::chrono::steady_clock;

steady_clock::duration interval_of(double uploads_per_minute) {
  return std::chrono::duration_cast<steady_clock::duration>(
      std::chrono::duration<double>(60.0 * 1.01 / uploads_per_minute));
}

// Keeps waiting until `stop` is set; a bound of its own so that a bug cannot hang the suite.
struct Stopper {
  std::atomic<bool> stop{false};
  steady_clock::time_point deadline = steady_clock::now() + std::chrono::seconds(60);
  std::function<bool()> keep_waiting() {
    return [this] { return !stop.load() && steady_clock::now() < deadline; };
  }
};

// Polls `condition` for up to 30 s; the answer says whether it came true.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(30);
  while (steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace

TEST_CASE("pacer: the first slot is immediate, the next one 60/N seconds after it") {
  Pacer pacer;
  const double rate = 1;  // one a minute: the next slot is far in the future
  const auto before = steady_clock::now();
  // Asked once whether to keep waiting, and told to stop the second time: only a slot that
  // is due at once gets through.
  int polls = 0;
  REQUIRE(pacer.acquire(rate, [&] { return ++polls < 2; }));
  const auto after = steady_clock::now();
  CHECK(polls == 1);
  // The reservation started between the call and its return; the next is one interval later.
  const auto first_slot = pacer.next_slot() - interval_of(rate);
  CHECK(first_slot >= before);
  CHECK(first_slot <= after);
}

TEST_CASE("pacer: consecutive uploads are spaced at least 60/N seconds apart") {
  Pacer pacer;
  const double rate = 6000;  // 10 ms apart
  const int slots = 11;
  const auto started = steady_clock::now();
  std::vector<steady_clock::time_point> returned;
  for (int i = 0; i < slots; ++i) {
    REQUIRE(pacer.acquire(rate, {}));
    returned.push_back(steady_clock::now());
  }
  // Slot k starts no earlier than k intervals after the first: a lower bound only, a slow
  // machine returns later but never earlier.
  for (int k = 0; k < slots; ++k)
    CHECK(returned[k] - started >= k * interval_of(rate));
  CHECK(pacer.next_slot() - started >= slots * interval_of(rate));
}

TEST_CASE("pacer: a rate of 0 or less does not pace") {
  Pacer pacer;
  REQUIRE(pacer.acquire(0, {}));
  REQUIRE(pacer.acquire(-5, {}));
  CHECK(pacer.next_slot() == steady_clock::time_point{});
}

TEST_CASE("pacer: a cancelled wait gives its slot back when nobody queued behind it") {
  Pacer pacer;
  const double rate = 1;
  REQUIRE(pacer.acquire(rate, {}));
  const auto next = pacer.next_slot();

  Stopper stopper;
  std::atomic<bool> result{true};
  std::thread waiter([&] { result = pacer.acquire(rate, stopper.keep_waiting()); });
  REQUIRE(eventually([&] { return pacer.next_slot() == next + interval_of(rate); }));
  stopper.stop = true;
  waiter.join();
  CHECK_FALSE(result);
  // The next caller gets the cancelled slot, not the one after it.
  CHECK(pacer.next_slot() == next);
}

TEST_CASE("pacer: a cancelled wait with a waiter behind it keeps the schedule of the waiter") {
  Pacer pacer;
  const double rate = 1;
  const auto interval = interval_of(rate);
  REQUIRE(pacer.acquire(rate, {}));
  const auto next = pacer.next_slot();

  Stopper first_stopper;
  Stopper second_stopper;
  std::atomic<bool> first_result{true};
  std::atomic<bool> second_result{true};
  std::thread first([&] { first_result = pacer.acquire(rate, first_stopper.keep_waiting()); });
  REQUIRE(eventually([&] { return pacer.next_slot() == next + interval; }));
  std::thread second([&] { second_result = pacer.acquire(rate, second_stopper.keep_waiting()); });
  REQUIRE(eventually([&] { return pacer.next_slot() == next + 2 * interval; }));

  first_stopper.stop = true;
  first.join();
  CHECK_FALSE(first_result);
  // Rolling back would hand the second waiter's slot to a third caller: two uploads at once.
  CHECK(pacer.next_slot() == next + 2 * interval);

  second_stopper.stop = true;
  second.join();
  CHECK_FALSE(second_result);
  CHECK(pacer.next_slot() == next + interval);
}

TEST_CASE("pacer: every caller with the same key shares one pacer") {
  const auto a = Pacer::for_key("https://pacing-test.invalid/a");
  const auto same = Pacer::for_key("https://pacing-test.invalid/a");
  const auto other = Pacer::for_key("https://pacing-test.invalid/b");
  CHECK(a == same);
  CHECK(a != other);
}

TEST_CASE("interruptible_sleep stops when asked and otherwise sleeps at least its duration") {
  using namespace std::chrono;
  int polls = 0;
  CHECK_FALSE(mavi::detail::interruptible_sleep(seconds(60), [&] { return ++polls < 3; }));
  CHECK(polls == 3);

  const auto started = steady_clock::now();
  CHECK(mavi::detail::interruptible_sleep(milliseconds(30), {}));
  CHECK(steady_clock::now() - started >= milliseconds(30));
}

namespace {

// A ceiling so high that one interval is a tenth of a millisecond: the learning is checked
// answer by answer, without waiting for real slots.
constexpr double kFast = 600000;

void after_an_interval() {
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

}  // namespace

TEST_CASE("pacer: a 0429 halves the pace, which climbs back after a few go through") {
  Pacer pacer;
  pacer.on_rate_limited(kFast, std::chrono::seconds(0));
  CHECK(pacer.per_minute(kFast) == Approx(kFast / 2));
  pacer.on_admitted(kFast);
  pacer.on_admitted(kFast);
  CHECK(pacer.per_minute(kFast) == Approx(kFast / 2));  // not trusted yet
  pacer.on_admitted(kFast);
  CHECK(pacer.per_minute(kFast) == Approx(kFast / 2 * 1.25));
  for (int i = 0; i < 10; ++i)
    pacer.on_admitted(kFast);
  CHECK(pacer.per_minute(kFast) == Approx(kFast * 0.9));  // short of the pace that was too fast
}

TEST_CASE("pacer: a 0429 above a pace that went through goes back to it, not to half") {
  Pacer pacer;
  pacer.on_rate_limited(kFast, std::chrono::seconds(0));
  for (int i = 0; i < 4; ++i)
    pacer.on_admitted(kFast);
  const double climbed = pacer.per_minute(kFast);  // 0.5 -> 0.625 -> 0.78 of the ceiling
  REQUIRE(climbed > kFast / 2);
  after_an_interval();
  pacer.on_rate_limited(kFast, std::chrono::seconds(0));
  // The last pace proven by an admitted request, not half of the one that failed.
  CHECK(pacer.per_minute(kFast) == Approx(kFast / 2 * 1.25));
  CHECK(pacer.rate_limited_answers() == 2);

  // That pace failing too means the limit went down: halve from there.
  after_an_interval();
  pacer.on_rate_limited(kFast, std::chrono::seconds(0));
  CHECK(pacer.per_minute(kFast) == Approx(kFast / 4 * 1.25));
}

TEST_CASE("pacer: answers to requests sent before a slow-down lower nothing again") {
  Pacer pacer;
  const double ceiling = 60;  // one a second: the second answer comes within an interval
  pacer.on_rate_limited(ceiling, std::chrono::seconds(0));
  pacer.on_rate_limited(ceiling, std::chrono::seconds(0));
  pacer.on_rate_limited(ceiling, std::chrono::seconds(0));
  CHECK(pacer.per_minute(ceiling) == Approx(30));
  CHECK(pacer.rate_limited_answers() == 3);
}

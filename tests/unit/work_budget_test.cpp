// WorkBudget (src/batch/work_budget.hpp): the disk held by prepared files waiting for upload.
// No I/O; the threaded cases wait on each other, never on the clock.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "batch/work_budget.hpp"

using mavi::detail::batch::WorkBudget;

namespace {

// A `stop` that gives up at once: acquire() then answers without waiting.
const auto give_up = [] { return true; };

}  // namespace

TEST_CASE("WorkBudget grants what fits under the limit and refuses the rest", "[batch][budget]") {
  WorkBudget budget(100);
  CHECK(budget.acquire(60, give_up));
  CHECK(budget.acquire(40, give_up));  // exactly the limit
  CHECK_FALSE(budget.acquire(1, give_up));
  budget.release(40);
  CHECK_FALSE(budget.acquire(41, give_up));
  CHECK(budget.acquire(40, give_up));
}

TEST_CASE("WorkBudget always grants a file when nothing is held, even one over the limit",
          "[batch][budget]") {
  WorkBudget budget(100);
  CHECK(budget.acquire(500, give_up));
  CHECK_FALSE(budget.acquire(1, give_up));  // and then holds it all
  budget.release(500);
  CHECK(budget.acquire(100, give_up));
}

TEST_CASE("WorkBudget with limit 0 is unlimited", "[batch][budget]") {
  WorkBudget budget(0);
  CHECK(budget.acquire(5'000'000'000'000, give_up));
  CHECK(budget.acquire(5'000'000'000'000, give_up));
}

TEST_CASE("WorkBudget adjust replaces a reservation by the real size", "[batch][budget]") {
  WorkBudget budget(100);
  REQUIRE(budget.acquire(50, give_up));
  budget.adjust(50, 90);  // the prepared file came out larger than reserved
  CHECK_FALSE(budget.acquire(20, give_up));
  budget.adjust(90, 10);  // ... or smaller
  CHECK(budget.acquire(90, give_up));
  CHECK_FALSE(budget.acquire(1, give_up));
}

TEST_CASE("WorkBudget never holds less than nothing", "[batch][budget]") {
  WorkBudget budget(100);
  REQUIRE(budget.acquire(10, give_up));
  budget.release(1000);  // more than held: nothing held, not a wrapped-around huge amount
  CHECK(budget.acquire(60, give_up));
  CHECK_FALSE(budget.acquire(50, give_up));  // 60 + 50 > 100: something is held again
  budget.adjust(1000, 0);                    // the same for a reservation larger than held
  CHECK(budget.acquire(100, give_up));
}

TEST_CASE("WorkBudget wakes a waiting acquire when another thread releases", "[batch][budget]") {
  WorkBudget budget(100);
  REQUIRE(budget.acquire(80, give_up));
  std::promise<void> waiting;
  auto is_waiting = waiting.get_future();
  std::atomic<bool> asked{false};
  std::atomic<bool> granted{false};
  std::thread worker([&] {
    // `stop` is asked each time the amount does not fit, just before acquire() waits.
    const bool got = budget.acquire(50, [&] {
      if (!asked.exchange(true))
        waiting.set_value();
      return false;
    });
    granted = got;
  });
  is_waiting.wait();
  CHECK_FALSE(granted);  // 80 + 50 does not fit: still waiting
  budget.release(80);
  worker.join();
  CHECK(granted);
  CHECK_FALSE(budget.acquire(51, give_up));  // the 50 it got are held
}

TEST_CASE("WorkBudget stops a waiting acquire when stop turns true", "[batch][budget]") {
  WorkBudget budget(100);
  REQUIRE(budget.acquire(100, give_up));
  std::atomic<bool> stop{false};
  std::promise<void> waiting;
  auto is_waiting = waiting.get_future();
  std::atomic<bool> asked{false};
  std::promise<bool> result;
  auto got = result.get_future();
  std::thread worker([&] {
    result.set_value(budget.acquire(1, [&] {
      if (!asked.exchange(true))
        waiting.set_value();
      return stop.load();
    }));
  });
  is_waiting.wait();
  stop = true;  // seen at the next poll of `stop`
  CHECK_FALSE(got.get());
  worker.join();
  budget.release(100);
  CHECK(budget.acquire(100, give_up));  // the refused byte was not counted
}

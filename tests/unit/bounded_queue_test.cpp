// BoundedQueue (src/prepare/frame_queue.hpp): the queue between prepare()'s reader and writer
// threads. No I/O; threads wait on each other, never on the clock.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "prepare/frame_queue.hpp"

using mavi::detail::BoundedQueue;

TEST_CASE("BoundedQueue: first in, first out, then nothing once finished", "[queue]") {
  BoundedQueue<int> queue(4);
  REQUIRE(queue.push(1));
  REQUIRE(queue.push(2));
  REQUIRE(queue.push(3));
  queue.finish();
  // What was queued before finish() is still delivered, in order.
  CHECK(queue.pop() == std::optional<int>(1));
  CHECK(queue.pop() == std::optional<int>(2));
  CHECK(queue.pop() == std::optional<int>(3));
  CHECK_FALSE(queue.pop().has_value());
  CHECK_FALSE(queue.pop().has_value());  // and stays drained, without blocking
}

TEST_CASE("BoundedQueue: close drops what is queued and refuses more", "[queue]") {
  BoundedQueue<int> queue(4);
  REQUIRE(queue.push(1));
  REQUIRE(queue.push(2));
  queue.close();
  CHECK_FALSE(queue.pop().has_value());
  CHECK_FALSE(queue.push(3));
  CHECK_FALSE(queue.pop().has_value());
}

TEST_CASE("BoundedQueue: close frees the queued items at once", "[queue]") {
  // prepare()'s queues hold decoded frames: a writer that gives up must not keep them alive.
  BoundedQueue<std::shared_ptr<int>> queue(4);
  auto frame = std::make_shared<int>(1);
  const std::weak_ptr<int> watch = frame;
  REQUIRE(queue.push(std::move(frame)));
  REQUIRE_FALSE(watch.expired());
  queue.close();
  CHECK(watch.expired());
}

TEST_CASE("BoundedQueue: close after finish still drops the rest", "[queue]") {
  BoundedQueue<int> queue(4);
  REQUIRE(queue.push(1));
  queue.finish();
  queue.close();
  CHECK_FALSE(queue.pop().has_value());
}

TEST_CASE("BoundedQueue: moves move-only items through", "[queue]") {
  BoundedQueue<std::unique_ptr<int>> queue(2);
  REQUIRE(queue.push(std::make_unique<int>(7)));
  queue.finish();
  auto item = queue.pop();
  REQUIRE(item.has_value());
  REQUIRE(*item != nullptr);
  CHECK(**item == 7);
}

TEST_CASE("BoundedQueue: a full queue holds the producer back until there is room", "[queue]") {
  constexpr int kCapacity = 3;
  constexpr int kItems = 200;
  BoundedQueue<int> queue(kCapacity);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < kItems; ++i) {
      if (!queue.push(i))
        return;
      ++pushed;
    }
    queue.finish();
  });
  // The producer fills the queue and then cannot go on until something is taken.
  while (pushed.load() < kCapacity)
    std::this_thread::yield();
  int popped = 0;
  bool bounded = true;
  for (;;) {
    // `pushed` counts pushes that returned; at most kCapacity of them are still queued.
    bounded = bounded && pushed.load() <= popped + kCapacity;
    const auto item = queue.pop();
    if (!item)
      break;
    CHECK(*item == popped);
    ++popped;
  }
  producer.join();
  CHECK(bounded);
  CHECK(popped == kItems);
}

TEST_CASE("BoundedQueue: close releases a producer blocked on a full queue", "[queue]") {
  BoundedQueue<int> queue(2);
  std::atomic<int> pushed{0};
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i) {
      if (!queue.push(i)) {
        refused = true;
        return;
      }
      ++pushed;
    }
  });
  while (pushed.load() < 2)
    std::this_thread::yield();
  queue.close();  // the consumer gives up: the blocked push returns false
  producer.join();
  CHECK(refused);
  CHECK(pushed == 2);  // no third push ever got in
}

TEST_CASE("BoundedQueue: close and finish release a consumer blocked on an empty queue",
          "[queue]") {
  for (const bool by_close : {true, false}) {
    INFO((by_close ? "close" : "finish"));
    BoundedQueue<int> queue(2);
    std::optional<int> got{-1};
    std::thread consumer([&] { got = queue.pop(); });
    if (by_close)
      queue.close();
    else
      queue.finish();
    consumer.join();  // would hang if pop() were not woken
    CHECK_FALSE(got.has_value());
  }
}

TEST_CASE("BoundedQueue: many producers and consumers lose no item and duplicate none", "[queue]") {
  constexpr int kProducers = 4;
  constexpr int kConsumers = 3;
  constexpr int kPerProducer = 5000;
  BoundedQueue<std::pair<int, int>> queue(8);  // (producer, sequence number)

  std::vector<std::vector<std::pair<int, int>>> received(kConsumers);
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&, c] {
      while (auto item = queue.pop())
        received[c].push_back(*item);
    });
  }
  std::vector<std::thread> producers;
  std::atomic<int> refused{0};
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        if (!queue.push({p, i}))
          ++refused;
      }
    });
  }
  for (auto& t : producers)
    t.join();
  queue.finish();
  for (auto& t : consumers)
    t.join();

  CHECK(refused == 0);
  std::set<std::pair<int, int>> all;
  std::size_t total = 0;
  for (const auto& items : received) {
    total += items.size();
    all.insert(items.begin(), items.end());
    // One producer's items leave the queue in the order it pushed them, so each consumer
    // sees them in increasing order.
    std::vector<int> last(kProducers, -1);
    bool ordered = true;
    for (const auto& [p, i] : items) {
      ordered = ordered && i > last[p];
      last[p] = i;
    }
    CHECK(ordered);
  }
  CHECK(total == std::size_t{kProducers} * kPerProducer);
  CHECK(all.size() == total);  // all distinct, so every pushed item arrived exactly once
}

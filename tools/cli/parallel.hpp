// parallel_map: run fn(i) for i in [0, count) on N worker threads, results in input order.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mavi::cli {

// Workers pull the next index from a shared counter, so a slow file never holds up the
// others. `stop` is polled before each item: when it returns true no new item starts and the
// items not started stay empty. The first exception thrown by fn is rethrown after all
// workers have finished.
template <class Result>
std::vector<std::optional<Result>> parallel_map(std::size_t count, unsigned jobs,
                                                const std::function<Result(std::size_t)>& fn,
                                                const std::function<bool()>& stop = {}) {
  std::vector<std::optional<Result>> results(count);
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;

  auto worker = [&] {
    for (;;) {
      if (stop && stop())
        return;
      const std::size_t i = next.fetch_add(1);
      if (i >= count)
        return;
      try {
        results[i].emplace(fn(i));
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure)
          failure = std::current_exception();
        next.store(count);  // stop handing out work
        return;
      }
    }
  };

  const std::size_t threads = std::clamp<std::size_t>(jobs, 1, std::max<std::size_t>(count, 1));
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t)
      pool.emplace_back(worker);
    for (auto& thread : pool)
      thread.join();
  }
  if (failure)
    std::rethrow_exception(failure);
  return results;
}

}  // namespace mavi::cli

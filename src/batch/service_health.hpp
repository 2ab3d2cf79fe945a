// ServiceHealth: whether MAVI answers at all, shared by the upload workers. An upload that
// failed the way any file would (connection refused or reset, DNS, timeouts, 5xx), when a probe
// finds MAVI silent too, marks MAVI unavailable: the workers stop taking files, one of them
// probes with a doubling delay, and all resume when MAVI answers again. The file in hand goes
// back to the queue with its retries untouched.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mavi/batch.hpp"
#include "mavi/error.hpp"

namespace mavi::detail::batch {

// Failures that say nothing about the file, only about MAVI or the way to it.
bool is_service_wide(Errc kind) noexcept;

class ServiceHealth {
 public:
  struct Settings {
    std::chrono::milliseconds first_probe{5000};
    std::chrono::milliseconds max_probe{300'000};
    std::chrono::seconds timeout{7200};
  };
  enum class Wait { available, timed_out, stopped };

  // `observer` hears the outage's start, each failed probe and the end (may be empty).
  ServiceHealth(Settings settings, ServiceObserver observer);

  bool available() const;
  // Starts an outage unless one is on (and then only counts the failure).
  void mark_unavailable(const std::string& reason);

  // Returns at once while MAVI is available. Otherwise blocks: one caller at a time probes
  // (`probe` true: MAVI answered) at the scheduled times, the others wait for its result.
  // Returns timed_out once the outage outlasts the timeout, stopped when `stopping` turns true.
  Wait wait_until_available(const std::function<bool()>& probe,
                            const std::function<bool()>& stopping);

  // Every outage so far; an ongoing one ends now.
  std::vector<Outage> outages() const;
  // Called once the batch is over: an outage still on ends now.
  void close();

 private:
  void notify(ServiceEvent::Kind kind) const;  // with mutex_ held

  Settings settings_;
  ServiceObserver observer_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Outage> outages_;
  bool down_ = false;
  bool probing_ = false;
  bool timed_out_ = false;  // the outage outlasted the timeout: every waiter gives up
  std::chrono::steady_clock::time_point down_since_;
  std::chrono::steady_clock::time_point next_probe_;
  std::chrono::milliseconds delay_{0};
};

}  // namespace mavi::detail::batch

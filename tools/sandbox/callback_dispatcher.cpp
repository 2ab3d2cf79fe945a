#include "sandbox/callback_dispatcher.hpp"

#include <httplib.h>

#include <regex>

namespace mavi::cli::sandbox {

namespace {

// Splits "http://host:port/path?query" into what httplib::Client takes and the request target.
bool split_uri(const std::string& uri, std::string& origin, std::string& target) {
  static const std::regex pattern(R"(^(https?://[^/?#]+)([^#]*))", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(uri, m, pattern))
    return false;
  origin = m[1].str();
  target = m[2].str();
  if (target.empty() || target[0] != '/')
    target = "/" + target;
  return true;
}

}  // namespace

CallbackDispatcher::CallbackDispatcher(VideoStore& store, std::chrono::milliseconds delay, Log log,
                                       int max_attempts)
    : store_(store), delay_(delay), log_(std::move(log)), max_attempts_(max_attempts) {
  worker_ = std::thread([this] { run(); });
}

CallbackDispatcher::~CallbackDispatcher() {
  stop();
}

void CallbackDispatcher::schedule(CallbackJob job) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace(std::chrono::steady_clock::now() + delay_, std::move(job));
  }
  wake_.notify_one();
}

void CallbackDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable())
    worker_.join();
}

void CallbackDispatcher::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto due = queue_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      wake_.wait_until(lock, due);
      continue;
    }
    CallbackJob job = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    lock.unlock();

    if (job.attempt == 0)
      store_.set_status(job.video_no, job.final_status);
    bool retry = false;
    if (!job.callback_uri.empty()) {
      std::string outcome;
      const bool delivered = deliver(job, outcome);
      if (log_) {
        log_("callback " + job.video_no + " " + std::string(to_string(job.final_status)) +
             " attempt " + std::to_string(job.attempt + 1) + ": " + outcome);
      }
      retry = !delivered && job.attempt + 1 < max_attempts_;
    }

    lock.lock();
    if (retry) {
      // Backoff 0.5 s, 1 s, 2 s ...: re-queued, so other videos' callbacks are not held up.
      const auto backoff = std::chrono::milliseconds(500) * (1 << job.attempt);
      ++job.attempt;
      queue_.emplace(std::chrono::steady_clock::now() + backoff, std::move(job));
    }
  }
}

bool CallbackDispatcher::deliver(const CallbackJob& job, std::string& outcome) const {
  std::string origin, target;
  if (!split_uri(job.callback_uri, origin, target)) {
    outcome = "not an http(s) URI";
    return false;
  }
  httplib::Client client(origin);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  client.set_write_timeout(std::chrono::seconds(5));
  auto result = client.Post(target, job.body, "application/json");
  if (!result) {
    outcome = "failed: " + httplib::to_string(result.error());
    return false;
  }
  outcome = "HTTP " + std::to_string(result->status);
  return result->status >= 200 && result->status < 300;
}

}  // namespace mavi::cli::sandbox

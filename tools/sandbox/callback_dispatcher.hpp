// CallbackDispatcher: after the processing delay, settles each upload's status (PARSE or FAIL)
// and POSTs MAVI's callback to the upload's callback URI, on a worker thread of its own so
// request handling never waits on a callback.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "sandbox/video_store.hpp"

namespace mavi::cli::sandbox {

struct CallbackJob {
  std::string video_no;
  VideoStatus final_status = VideoStatus::fail;
  std::string callback_uri;  // empty: only the status changes
  std::string body;          // JSON posted to callback_uri
  int attempt = 0;
};

class CallbackDispatcher {
 public:
  using Log = std::function<void(const std::string&)>;

  CallbackDispatcher(VideoStore& store, std::chrono::milliseconds delay, Log log,
                     int max_attempts = 3);
  ~CallbackDispatcher();
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  void schedule(CallbackJob job);
  // Stops the worker; jobs not yet due are dropped.
  void stop();

 private:
  void run();
  // Returns true when the callback was delivered (HTTP 2xx).
  bool deliver(const CallbackJob& job, std::string& outcome) const;

  VideoStore& store_;
  std::chrono::milliseconds delay_;
  Log log_;
  int max_attempts_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<std::chrono::steady_clock::time_point, CallbackJob> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace mavi::cli::sandbox

// A purpose-built MAVI stand-in for the client tests: a real HTTP server (cpp-httplib) on
// 127.0.0.1, port 0, that records exactly what each upload looked like (parts, headers,
// query) and misbehaves on demand, attempt by attempt. It streams bodies (counting, never
// holding, the file part), so it also serves as the sink for the 1 GiB test.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace mavi::test {

// What the server does with one upload request.
enum class Fault {
  none,             // store and answer code "0000"
  http500,          // answer 500 without storing
  store_then_500,   // store, then answer 500 (the client cannot know it was stored)
  store_then_drop,  // store, then close the connection in the middle of the answer
  drop_mid_body,    // stop reading half way through the body and close (nothing stored)
  rate_limited,     // code "0429" with Retry-After: 1
  limit_400,        // HTTP 400 "Request has exceeded the limit." (v2's words, no Retry-After)
  stall,            // read the body, then say nothing for stall_time
  malformed,        // HTTP 200 with a body that is not JSON (it echoes the Authorization)
  echo_key_401,     // 401, code "0401", with the Authorization value echoed in msg
};

struct SeenPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::string value;        // form fields only
  std::uint64_t bytes = 0;  // size of the part's content
};

struct SeenUpload {
  std::string path;
  std::string authorization;
  std::string callback_query;  // the decoded callBackUri query parameter
  bool has_callback_query = false;
  std::string content_type;  // of the request
  std::vector<SeenPart> parts;
  Fault fault = Fault::none;
  std::chrono::steady_clock::time_point arrived;
};

struct StoredVideo {
  std::string video_no;
  std::string video_name;
  long long upload_time_ms = 0;
  std::uint64_t size = 0;
};

class FakeMavi {
 public:
  FakeMavi();
  ~FakeMavi();
  FakeMavi(const FakeMavi&) = delete;
  FakeMavi& operator=(const FakeMavi&) = delete;

  std::string base_url() const;  // http://127.0.0.1:PORT

  // Faults for the next upload requests, in order; once used up, uploads succeed.
  void script(std::vector<Fault> faults);
  void set_expected_authorization(std::string value);  // empty: accept anything
  std::chrono::milliseconds stall_time{3000};          // cut short when the server stops

  std::vector<SeenUpload> uploads() const;
  std::vector<StoredVideo> stored() const;
  int lookups() const { return lookups_.load(); }

 private:
  Fault next_fault();
  std::string store(const std::string& name, std::uint64_t size);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::deque<Fault> faults_;
  std::string expected_authorization_;
  std::vector<SeenUpload> uploads_;
  std::vector<StoredVideo> stored_;
  std::atomic<int> lookups_{0};
  std::atomic<bool> stopping_{false};
  int next_video_ = 1;
};

}  // namespace mavi::test

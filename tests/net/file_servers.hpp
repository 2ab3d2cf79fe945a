// Static file servers on 127.0.0.1 for remote sources: the fixtures folder served with range
// requests (cpp-httplib's mount point), and by a plain server that knows no ranges.
#pragma once

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace mavi::test {

// GET /media/NAME, with Range support and Accept-Ranges, as a CDN or nginx serves files.
class RangeFileServer {
 public:
  explicit RangeFileServer(const std::filesystem::path& root);
  ~RangeFileServer();
  RangeFileServer(const RangeFileServer&) = delete;
  RangeFileServer& operator=(const RangeFileServer&) = delete;

  std::string url(const std::string& name) const;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// GET /plain/NAME: always the whole file, 200 with its length, no Accept-Ranges, any Range
// header ignored (the simplest servers behave so). One thread per connection.
class PlainFileServer {
 public:
  explicit PlainFileServer(const std::filesystem::path& root);
  ~PlainFileServer();
  PlainFileServer(const PlainFileServer&) = delete;
  PlainFileServer& operator=(const PlainFileServer&) = delete;

  std::string url(const std::string& name) const;
  int requests() const { return requests_; }
  int range_requests() const { return range_requests_; }  // asked for a range (and got all)

 private:
  void serve(int connection);

  std::filesystem::path root_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> range_requests_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;
};

}  // namespace mavi::test

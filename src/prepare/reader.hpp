// The reading side of a preparation: demuxing and decoding on a thread of its own, feeding the
// writer through a bounded queue.
#pragma once

#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "ffmpeg/handles.hpp"
#include "prepare/frame_queue.hpp"
#include "prepare/job.hpp"
#include "prepare/stream_setup.hpp"

namespace mavi::detail {

// One unit of work handed from the reading thread to the writing thread.
struct Item {
  int out_index = -1;
  ffmpeg::Packet packet;  // a packet to copy
  ffmpeg::Frame frame;    // a decoded frame to encode
};

// Reads `in` to the end: packets of copied streams are queued as they are, those of encoded
// streams decoded (decoders flushed at the end) and their frames queued; packets of other streams
// are dropped. Returns early when the job stops or the queue is closed. Throws mavi::Error:
// cancelled, unreadable, media.
void read_and_decode(AVFormatContext* in, std::vector<OutStream>& streams,
                     const std::vector<int>& map, BoundedQueue<Item>& queue, Job& job);

// Joins the reading thread on every exit path, after telling it to stop when needed.
class ReaderThread {
 public:
  ReaderThread(BoundedQueue<Item>& queue, Job& job) : queue_(queue), job_(job) {}
  ~ReaderThread() {
    if (thread_.joinable()) {
      job_.stop = true;
      queue_.close();
      thread_.join();
    }
  }
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;

  template <typename F>
  void start(F&& body) {
    thread_ = std::thread([this, body = std::forward<F>(body)]() mutable {
      try {
        body();
      } catch (...) {
        error_ = std::current_exception();
      }
      queue_.finish();
    });
  }
  // After the queue ran dry: join and rethrow what the reader hit.
  void join() {
    thread_.join();
    if (error_)
      std::rethrow_exception(error_);
  }

 private:
  BoundedQueue<Item>& queue_;
  Job& job_;
  std::thread thread_;
  std::exception_ptr error_;
};

}  // namespace mavi::detail

// OrderedLines: each file's result line printed in input order, as soon as it and every file
// before it are done, so the output of a run never depends on which worker finished first.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mavi::cli {

class OrderedLines {
 public:
  OrderedLines(std::size_t count, std::function<void(const std::string&)> print)
      : lines_(count), print_(std::move(print)) {}

  // The line of file `index` ("" when it prints nothing); prints what is ready. Thread-safe.
  void add(std::size_t index, std::string text) {
    std::lock_guard lock(mutex_);
    if (index < lines_.size())
      lines_[index] = std::move(text);
    release_locked(false);
  }

  // At the end: what is left (files that never finished print nothing).
  void finish() {
    std::lock_guard lock(mutex_);
    release_locked(true);
  }

 private:
  void release_locked(bool all) {
    while (next_ < lines_.size() && (all || lines_[next_])) {
      if (lines_[next_] && !lines_[next_]->empty())
        print_(*lines_[next_]);
      lines_[next_].reset();
      ++next_;
    }
  }

  std::vector<std::optional<std::string>> lines_;
  std::function<void(const std::string&)> print_;
  std::size_t next_ = 0;
  std::mutex mutex_;
};

}  // namespace mavi::cli

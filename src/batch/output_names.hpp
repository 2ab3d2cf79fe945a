// OutputNames: the file names prepared outputs get: the input's stem + ".mp4" (or the input's
// own name for a copy), unique within a run and never the path of any input.
#pragma once

#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace mavi::batch {

class OutputNames {
 public:
  OutputNames(std::filesystem::path dir, std::vector<std::filesystem::path> inputs);
  // Thread-safe.
  std::filesystem::path take(const std::filesystem::path& input, bool keep_extension);

 private:
  bool is_an_input(const std::filesystem::path& candidate) const;

  std::filesystem::path dir_;
  std::vector<std::filesystem::path> inputs_;
  std::set<std::string> used_;
  std::mutex mutex_;
};

}  // namespace mavi::batch

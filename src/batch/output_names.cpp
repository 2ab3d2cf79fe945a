#include "batch/output_names.hpp"

#include <system_error>
#include <utility>

namespace mavi::batch {

namespace fs = std::filesystem;

OutputNames::OutputNames(fs::path dir, std::vector<fs::path> inputs)
    : dir_(std::move(dir)), inputs_(std::move(inputs)) {}

fs::path OutputNames::take(const fs::path& input, bool keep_extension) {
  const std::string stem = input.stem().string();
  const std::string ext = keep_extension ? input.extension().string() : ".mp4";
  std::lock_guard lock(mutex_);
  for (int n = 1;; ++n) {
    fs::path candidate = dir_ / (n == 1 ? stem + ext : stem + "-" + std::to_string(n) + ext);
    const std::string key = candidate.lexically_normal().string();
    if (used_.count(key) != 0 || is_an_input(candidate))
      continue;
    used_.insert(key);
    return candidate;
  }
}

bool OutputNames::is_an_input(const fs::path& candidate) const {
  std::error_code ec;
  if (!fs::exists(candidate, ec))
    return false;
  for (const auto& in : inputs_) {
    if (fs::equivalent(in, candidate, ec))
      return true;
  }
  return false;
}

}  // namespace mavi::batch

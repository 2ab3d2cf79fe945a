// The temporary file a preparation writes, next to its output: removed unless it was renamed into
// place.
#pragma once

#include <filesystem>

namespace mavi::detail {

class TempOutput {
 public:
  // Creates DIR/.STEM.partial-XXXXXXXX.mp4 next to `output` (O_EXCL, the umask's usual mode).
  // Throws mavi::Error: permission_denied, not_found, disk_full, io.
  explicit TempOutput(const std::filesystem::path& output);
  ~TempOutput();
  TempOutput(const TempOutput&) = delete;
  TempOutput& operator=(const TempOutput&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Renames the file to `output` (see rename_into_place); afterwards nothing is removed.
  void commit(const std::filesystem::path& output, bool replace);

 private:
  std::filesystem::path path_;
};

}  // namespace mavi::detail

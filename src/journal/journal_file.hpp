// The journal's file on disk: created readable by its owner only, and watched during a run, so
// that a journal removed, moved or replaced under a batch stops it instead of recording into a
// file nobody will read.
//
// Private to libmavi (src/journal/journal.cpp).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>

namespace mavi::detail::journal {

// The journal holds paths and MAVI's answers: creates `path` (and its folder) readable by its
// owner only, unless it exists. Throws mavi::Error (permission_denied or io) naming the file.
void create_private(const std::filesystem::path& path);

// The file a journal opened, to notice it being removed, moved or replaced during a run.
class FileWatch {
 public:
  explicit FileWatch(const std::filesystem::path& path);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Throws mavi::Error(Errc::journal) when the file is no longer where, and what, it was.
  void ensure_in_place() const;

 private:
  [[noreturn]] void lost(const std::string& what) const;

  std::filesystem::path path_;
  int fd_ = -1;
  std::pair<dev_t, ino_t> id_{};
};

}  // namespace mavi::detail::journal

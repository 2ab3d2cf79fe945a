#include "journal/journal_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "mavi/error.hpp"

namespace mavi::detail::journal {

void create_private(const std::filesystem::path& path) {
  if (path.has_parent_path()) {
    std::error_code ec;
    if (!std::filesystem::exists(path.parent_path(), ec)) {
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec) {
        throw Error(Errc::io,
                    "journal: create folder " + path.parent_path().string() + ": " + ec.message());
      }
      std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, ec);
    }
  }
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    const int err = errno;
    throw Error(err == EACCES ? Errc::permission_denied : Errc::io,
                "journal: create " + path.string() + ": " + std::strerror(err), err);
  }
}

FileWatch::FileWatch(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0)
    id_ = {st.st_dev, st.st_ino};
}

FileWatch::~FileWatch() {
  if (fd_ >= 0)
    ::close(fd_);
}

void FileWatch::ensure_in_place() const {
  if (fd_ < 0)
    return;
  struct stat open_file {};
  if (::fstat(fd_, &open_file) == 0 && open_file.st_nlink == 0)
    lost("was deleted");
  struct stat at_path {};
  if (::stat(path_.c_str(), &at_path) != 0) {
    lost(errno == ENOENT ? "was removed or moved (or its folder)"
                         : std::string("cannot be reached: ") + std::strerror(errno));
  }
  if (std::pair{at_path.st_dev, at_path.st_ino} != id_)
    lost("was replaced by another file");
}

void FileWatch::lost(const std::string& what) const {
  throw Error(Errc::journal, "the journal " + path_.string() + " " + what +
                                 " during the run: nothing more can be recorded");
}

}  // namespace mavi::detail::journal

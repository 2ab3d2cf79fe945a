#include "prepare/place_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "mavi/error.hpp"

namespace mavi::detail {

namespace {

// 0 or an errno value.
int rename_without_replacing(const char* from, const char* to) {
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return errno;
  // The file system has no RENAME_NOREPLACE: link() refuses an existing name too.
  if (::link(from, to) != 0)
    return errno;
  ::unlink(from);
  return 0;
}

}  // namespace

void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to,
                       bool replace) {
  const int err = replace ? (::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno)
                          : rename_without_replacing(from.c_str(), to.c_str());
  if (err == 0)
    return;
  if (err == EEXIST) {
    throw Error(Errc::io, to.string() + " already exists: left as it is, not replaced", err);
  }
  const Errc kind = err == EACCES || err == EPERM || err == EROFS ? Errc::permission_denied
                    : err == ENOSPC || err == EDQUOT              ? Errc::disk_full
                                                                  : Errc::io;
  throw Error(kind,
              "cannot rename " + from.string() + " to " + to.string() + ": " + std::strerror(err),
              err);
}

}  // namespace mavi::detail

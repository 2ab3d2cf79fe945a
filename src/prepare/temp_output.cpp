#include "prepare/temp_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <system_error>

#include "mavi/error.hpp"
#include "prepare/place_file.hpp"

namespace mavi::detail {

namespace fs = std::filesystem;

TempOutput::TempOutput(const fs::path& output) {
  fs::path dir = output.parent_path();
  if (dir.empty())
    dir = ".";
  // O_EXCL with a random suffix (not mkstemps) so the file gets the umask's usual mode.
  std::random_device entropy;
  int e = EEXIST;
  for (int attempt = 0; attempt < 100 && e == EEXIST; ++attempt) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(entropy()));
    fs::path candidate = dir / ("." + output.stem().string() + ".partial-" + suffix + ".mp4");
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      path_ = candidate;
      return;
    }
    e = errno;
  }
  Errc kind = Errc::io;
  if (e == EACCES || e == EPERM || e == EROFS)
    kind = Errc::permission_denied;
  if (e == ENOENT || e == ENOTDIR)
    kind = Errc::not_found;
  if (e == ENOSPC || e == EDQUOT)
    kind = Errc::disk_full;
  throw Error(kind, "cannot create a file in " + dir.string() + ": " + std::strerror(e), e);
}

TempOutput::~TempOutput() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

void TempOutput::commit(const fs::path& output, bool replace) {
  rename_into_place(path_, output, replace);
  path_.clear();
}

}  // namespace mavi::detail

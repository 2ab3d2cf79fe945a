#include "support/paths.hpp"

#include <stdlib.h>

#include <stdexcept>
#include <system_error>

namespace mavi::test {

std::filesystem::path source_dir() {
  return MAVI_SOURCE_DIR;
}

std::filesystem::path fixture(const std::string& name) {
  return source_dir() / "fixtures" / name;
}

std::filesystem::path program(const std::string& name) {
  return std::filesystem::path(MAVI_BINARY_DIR) / "bin" / name;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mavi-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Tests may leave read-only folders behind; make them writable so removal succeeds.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    }
  }
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

}  // namespace mavi::test

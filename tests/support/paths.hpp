// Where tests find fixtures and programs, and private scratch folders that clean up after them.
#pragma once

#include <filesystem>
#include <string>

namespace mavi::test {

std::filesystem::path source_dir();
std::filesystem::path fixture(const std::string& name);  // fixtures/NAME
std::filesystem::path program(const std::string& name);  // build/bin/NAME

// A fresh folder under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace mavi::test

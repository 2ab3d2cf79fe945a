#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "mavi/log.hpp"
#include "support/skip.hpp"

int main(int argc, char* argv[]) {
  // Programs under test keep their default journal under $XDG_STATE_HOME: never the home of
  // whoever runs the tests, and fresh for every test process.
  std::string state = (std::filesystem::temp_directory_path() / "mavi-test-state-XXXXXX").string();
  if (::mkdtemp(state.data()) != nullptr)
    ::setenv("XDG_STATE_HOME", state.c_str(), 1);
  // FFmpeg's own warnings about deliberately broken fixtures would drown the test report.
  mavi::set_log_level(mavi::LogLevel::quiet);
  const int failures = Catch::Session().run(argc, argv);
  std::error_code ignored;
  std::filesystem::remove_all(state, ignored);
  // A run whose test cases all skipped (MAVI_SKIP) exits 77, CTest's SKIP_RETURN_CODE.
  return mavi::test::exit_status(failures);
}

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "mavi/log.hpp"

int main(int argc, char* argv[]) {
  // FFmpeg's own warnings about deliberately broken fixtures would drown the test report.
  mavi::set_log_level(mavi::LogLevel::quiet);
  return Catch::Session().run(argc, argv);
}

// The test suite's own support that other tests rely on to report honestly: a skip is never a
// failure count, and a failure count is never a skip (support/skip.hpp).
#include <catch2/catch.hpp>

#include "support/skip.hpp"

TEST_CASE("a failure count equal to the skip code is never taken for a skip", "[support]") {
  CHECK(mavi::test::exit_status(mavi::test::kSkipExitCode) == 1);
  CHECK(mavi::test::exit_status(3) == 3);
  CHECK(mavi::test::exit_status(255) == 255);
}

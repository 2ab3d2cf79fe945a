// MAVI_SKIP(reason): the running TEST_CASE cannot run here (a tool or a privilege is missing),
// and says so as a skip, not a pass.
//
// Catch2 2.13 has no SKIP. MAVI_SKIP WARNs "skipped: <reason>", records the test case as
// skipped and returns from it, so use it directly in a TEST_CASE body, before any thread or
// child process that would need cleaning up. When every test case a run selected was skipped
// and nothing failed (CTest runs one test case per process), the test executable exits with
// kSkipExitCode, which tests/CMakeLists.txt declares as each test's SKIP_RETURN_CODE: ctest
// then reports "Skipped" instead of "Passed".
#pragma once

#include <catch2/catch.hpp>

#define MAVI_SKIP(reason)         \
  do {                            \
    WARN("skipped: " << reason);  \
    ::mavi::test::mark_skipped(); \
    return;                       \
  } while (false)

namespace mavi::test {

// The automake convention for "skipped"; tests/CMakeLists.txt uses the same number.
inline constexpr int kSkipExitCode = 77;

// Records the running test case as skipped (MAVI_SKIP calls it).
void mark_skipped();

// The exit status for Catch::Session::run's result: kSkipExitCode when at least one test case
// ran, every one that ran was skipped and none failed; otherwise `catch_result`, except that a
// result that happens to equal kSkipExitCode (77 failed assertions) becomes 1 so that it cannot
// pass for a skip.
int exit_status(int catch_result);

}  // namespace mavi::test

// The listener interface is only declared with CATCH_CONFIG_EXTERNAL_INTERFACES.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "support/skip.hpp"

#include <set>
#include <string>

namespace mavi::test {
namespace {

std::set<std::string>& skipped_cases() {
  static std::set<std::string> names;
  return names;
}

int& cases_started() {
  static int count = 0;
  return count;
}

// Counts the test cases a run starts (once each, whatever their sections).
struct CaseCounter : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    TestEventListenerBase::testCaseStarting(info);
    ++cases_started();
  }
};

CATCH_REGISTER_LISTENER(CaseCounter)

}  // namespace

void mark_skipped() {
  skipped_cases().insert(Catch::getResultCapture().getCurrentTestName());
}

int exit_status(int catch_result) {
  const int started = cases_started();
  if (catch_result == 0 && started > 0 && static_cast<int>(skipped_cases().size()) == started)
    return kSkipExitCode;
  return catch_result == kSkipExitCode ? 1 : catch_result;
}

}  // namespace mavi::test

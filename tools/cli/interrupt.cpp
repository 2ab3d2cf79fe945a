#include "cli/interrupt.hpp"

#include <signal.h>

#include <atomic>
#include <cstdlib>

#include "mavi/cancel.hpp"

namespace mavi::cli {

namespace {

std::atomic<int> g_signal{0};
const mavi::CancelToken g_interrupted;  // built before main(), so before any handler runs
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

extern "C" void on_signal(int signal_number) {
  g_signal.store(signal_number);
  g_interrupted.request();  // the library work started with it stops soon
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // Past a file-size limit (ulimit -f) a write should fail with EFBIG and be reported as a
  // full disk, not kill the program and leave a partial file behind.
  signal(SIGXFSZ, SIG_IGN);
}

const CancelToken& interrupt_token() noexcept {
  return g_interrupted;
}

int interrupt_signal() noexcept {
  return g_signal.load();
}

void die_by_signal(int signal_number) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(signal_number, &action, nullptr);
  raise(signal_number);
  std::_Exit(128 + signal_number);  // only if the signal was blocked or ignored
}

}  // namespace mavi::cli

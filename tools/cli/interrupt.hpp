// Ctrl-C and SIGTERM: the first one asks workers to stop, a second one kills at once.
#pragma once

#include "mavi/cancel.hpp"

namespace mavi::cli {

// Installs SIGINT and SIGTERM handlers that record the signal (one-shot: the default action
// is restored, so a second signal ends the program immediately), and ignores SIGXFSZ.
void install_interrupt_handlers();

// Requested by the first SIGINT or SIGTERM: hand it to the library work the program starts.
const CancelToken& interrupt_token() noexcept;

// The signal received so far, 0 when none.
int interrupt_signal() noexcept;

// Ends the program the way the signal would have (so the shell sees 128 + signal).
[[noreturn]] void die_by_signal(int signal_number);

}  // namespace mavi::cli

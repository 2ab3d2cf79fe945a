#include "sandbox/outage.hpp"

namespace mavi::cli::sandbox {

OutageSchedule::OutageSchedule(const OutageOptions& options, Clock::time_point start)
    : options_(options), starts_(start + options.after.value_or(std::chrono::milliseconds(0))) {}

}  // namespace mavi::cli::sandbox

// prepare(): carry out a Plan, writing a verified MP4 or nothing at all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "mavi/media_info.hpp"
#include "mavi/plan.hpp"
#include "mavi/rules.hpp"

namespace mavi {

// Called now and then (and at least once when the first frame is written) with the seconds of
// media written so far, the total (0 when unknown) and the speed as a multiple of real time.
// Returning false cancels the work: prepare() then throws Error(Errc::cancelled).
using PrepareProgress = std::function<bool(double done_s, double total_s, double speed)>;

struct PrepareResult {
  std::filesystem::path output;
  Seconds elapsed{0};
  std::uintmax_t size_bytes = 0;
  MediaInfo media;                  // the output, probed again
  Verdict verdict;                  // the output, evaluated again (always ok)
  std::vector<StreamPlan> streams;  // what was done to each input stream
  double speed = 0;                 // media seconds per wall-clock second
};

// Writes `output` (an MP4) from `input` according to `plan`. The data goes to a temporary
// file next to `output` that is renamed only once complete and verified (probed, evaluated ok,
// duration within max(0.5 s, 2 %) of the input's); on any failure or cancellation the
// temporary file is removed and `output` is left as it was. The input is opened read-only;
// an `output` that is the input is refused (invalid_argument).
// Throws mavi::Error: invalid_argument, not_found, permission_denied, io, disk_full, media,
// unsupported, cancelled, verification_failed.
PrepareResult prepare(const std::filesystem::path& input, const std::filesystem::path& output,
                      const Plan& plan, const PrepareOptions& options = {},
                      const PrepareProgress& progress = {});

// Cancellation that a signal handler may request (async-signal-safe: sets a lock-free atomic).
// Every prepare() running in the process stops soon after with Errc::cancelled.
void request_cancel() noexcept;
bool cancel_requested() noexcept;
void reset_cancel() noexcept;

}  // namespace mavi

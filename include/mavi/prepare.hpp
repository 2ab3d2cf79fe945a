// prepare(): carry out a Plan, writing a verified MP4 or nothing at all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mavi/cancel.hpp"
#include "mavi/check.hpp"
#include "mavi/media_info.hpp"
#include "mavi/plan.hpp"
#include "mavi/rules.hpp"

namespace mavi {

// How to prepare: encoder settings and preparation choices. What the result must pass is the
// plan's (the check's) Rules, not an option here.
struct PrepareOptions {
  std::string preset = "veryfast";        // libx264 preset
  int crf = 23;                           // libx264 constant rate factor (0..51)
  std::optional<int> max_height;          // downscale (keeping the aspect ratio) when taller
  int threads = 0;                        // codec threads, 0 = automatic
  std::int64_t audio_bit_rate = 128'000;  // AAC, bits per second
  // Below this video bit rate a size-fitted encode is not worth watching: refuse instead.
  std::int64_t min_video_bit_rate = 250'000;
  // false: an `output` that exists when the prepared file is ready is left alone and the
  // preparation fails (io) instead of replacing it.
  bool replace_output = true;
  CancelToken cancel;  // request() stops the preparation soon (Errc::cancelled)
};

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
  // Encodes run: more than 1 when a fit-to-size encode came out over the size limit and was
  // run again at a rate scaled by the overshoot.
  int encodes = 1;
  std::optional<std::int64_t> video_bit_rate;  // fit-to-size: the rate of the kept encode
};

// Writes `output` (an MP4) from `input` according to `plan`. The data goes to a temporary
// file next to `output` that is renamed only once complete and verified (probed, evaluated ok
// against plan.rules, its timeline matching the input's: docs/prepare.md); a fit-to-size encode
// over plan.rules.max_size_bytes runs again (at most 3 more times) at a rate scaled by the
// overshoot, not below options.min_video_bit_rate; on any failure or
// cancellation the temporary file is removed and `output` is left as it was. The input is opened
// read-only; an `output` that is the input is refused (invalid_argument). Throws mavi::Error:
// invalid_argument, not_found, permission_denied, io, disk_full, media, unsupported, cancelled,
// verification_failed.
PrepareResult prepare(const std::filesystem::path& input, const std::filesystem::path& output,
                      const Plan& plan, const PrepareOptions& options = {},
                      const PrepareProgress& progress = {});

// The same for a checked file: continues from the file the check left open
// (CheckResult::opened, with ProbeOptions::keep_open), so its head is not read and analysed
// twice; the handle is used up. Without one, it opens checked.path.
PrepareResult prepare(const CheckResult& checked, const std::filesystem::path& output,
                      const Plan& plan, const PrepareOptions& options = {},
                      const PrepareProgress& progress = {});

}  // namespace mavi

// libFuzzer target: probe arbitrary bytes in memory, then judge them with the default rules.
// Any crash, sanitizer report, leak or hang here is a bug in libmavi (or FFmpeg's use of it).
#include <cstddef>
#include <cstdint>
#include <span>

#include "mavi/error.hpp"
#include "mavi/log.hpp"
#include "mavi/probe.hpp"
#include "mavi/rules.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mavi::set_log_level(mavi::LogLevel::quiet);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mavi::ProbeOptions options;
  options.probe_size_bytes = 1'000'000;
  // Inputs of odd length also go through the deep check (decoders see the bytes too),
  // bounded well below libFuzzer's -timeout.
  options.deep = (size % 2) == 1;
  options.deep_time_limit = std::chrono::milliseconds(2'000);
  try {
    const auto info =
        mavi::probe_memory(std::span<const unsigned char>(data, size), "fuzz", options);
    (void)mavi::evaluate(info);
  } catch (const mavi::Error& error) {
    (void)mavi::evaluate_failure(error);  // expected for most inputs: a clean, typed failure
  }
  return 0;
}

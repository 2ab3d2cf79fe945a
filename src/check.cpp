#include "mavi/check.hpp"

#include <chrono>

#include "mavi/error.hpp"

namespace mavi {

CheckResult check(const std::filesystem::path& path, const ProbeOptions& probe_options,
                  const Rules& rules) {
  const auto start = std::chrono::steady_clock::now();
  CheckResult result;
  result.path = path;
  try {
    result.media = probe(path, probe_options);
    result.verdict = evaluate(*result.media, rules);
  } catch (const Error& error) {
    result.verdict = evaluate_failure(error);
  } catch (const std::exception& error) {
    result.verdict = evaluate_failure(Error(Errc::internal, error.what()));
  }
  result.elapsed = std::chrono::steady_clock::now() - start;
  return result;
}

}  // namespace mavi

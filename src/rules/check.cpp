#include "mavi/check.hpp"

#include <chrono>

#include "mavi/error.hpp"
#include "media/opened_media.hpp"

namespace mavi {
namespace {

// Runs `probe_file` and evaluates what it found; a failure becomes a rejected verdict.
template <typename ProbeFile>
CheckResult check_with(const std::filesystem::path& path, const Rules& rules,
                       ProbeFile&& probe_file) {
  const auto start = std::chrono::steady_clock::now();
  CheckResult result;
  result.path = path;
  try {
    result.media = probe_file();
    result.verdict = evaluate(*result.media, rules);
  } catch (const Error& error) {
    result.verdict = evaluate_failure(error);
  } catch (const std::exception& error) {
    result.verdict = evaluate_failure(Error(Errc::internal, error.what()));
  }
  result.elapsed = std::chrono::steady_clock::now() - start;
  return result;
}

}  // namespace

CheckResult check(const std::filesystem::path& path, const ProbeOptions& probe_options,
                  const Rules& rules) {
  return check_with(path, rules, [&] { return probe(path, probe_options); });
}

namespace detail {

CheckResult check_open(const std::filesystem::path& path, const ProbeOptions& probe_options,
                       const Rules& rules, detail::ffmpeg::InputFormat& opened) {
  return check_with(path, rules, [&] {
    OpenedMedia probed = probe_open(path, probe_options);
    opened = std::move(probed.input);
    return std::move(probed.info);
  });
}

}  // namespace detail
}  // namespace mavi

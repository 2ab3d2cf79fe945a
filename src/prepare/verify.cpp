#include "prepare/verify.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "mavi/error.hpp"
#include "mavi/probe.hpp"

namespace mavi::detail {

double kept_duration(const AVFormatContext* in, const std::vector<OutStream>& streams) {
  double longest = 0;
  for (const auto& os : streams) {
    if (os.in->duration != AV_NOPTS_VALUE && os.in->duration > 0) {
      longest = std::max(longest, static_cast<double>(os.in->duration) * av_q2d(os.in->time_base));
    }
  }
  if (longest > 0)
    return longest;
  return in->duration != AV_NOPTS_VALUE ? static_cast<double>(in->duration) / AV_TIME_BASE : 0;
}

Verified verify_output(const std::filesystem::path& prepared, const std::filesystem::path& input,
                       const Rules& rules, double expected_s) {
  Verified result;
  try {
    result.media = probe(prepared);
  } catch (const Error& e) {
    throw Error(Errc::verification_failed,
                "the prepared file does not probe: " + std::string(e.what()));
  }
  result.verdict = evaluate(result.media, rules);
  if (result.verdict.kind != VerdictKind::ok) {
    std::string why;
    for (const auto& f : result.verdict.findings) {
      if (f.severity == Severity::error)
        why += (why.empty() ? "" : "; ") + f.message;
    }
    throw Error(Errc::verification_failed,
                "the prepared file for " + input.string() + " is not acceptable: " + why);
  }
  const double got = result.media.duration ? result.media.duration->count() : 0;
  if (expected_s > 0 && std::fabs(got - expected_s) > std::max(0.5, 0.02 * expected_s)) {
    throw Error(Errc::verification_failed, "the prepared file for " + input.string() + " lasts " +
                                               std::to_string(got) + " s, the input " +
                                               std::to_string(expected_s) + " s");
  }
  return result;
}

}  // namespace mavi::detail

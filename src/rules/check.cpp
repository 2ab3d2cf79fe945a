#include "mavi/check.hpp"

#include <chrono>

#include "mavi/error.hpp"
#include "media/opened_media.hpp"

namespace mavi {

OpenedFile::OpenedFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpenedFile::~OpenedFile() = default;

namespace detail {

ffmpeg::InputFormat take_input(const std::shared_ptr<OpenedFile>& opened) {
  if (!opened)
    return nullptr;
  OpenedFile::Impl& impl = opened->impl();
  std::lock_guard lock(impl.mutex);
  return std::move(impl.input);
}

}  // namespace detail

CheckResult check(const std::filesystem::path& path, const ProbeOptions& probe_options,
                  const Rules& rules) {
  const auto start = std::chrono::steady_clock::now();
  CheckResult result;
  result.path = path;
  result.rules = rules;
  try {
    detail::OpenedMedia probed = detail::probe_open(path, probe_options);
    if (probe_options.keep_open && probed.input) {
      auto impl = std::make_unique<OpenedFile::Impl>();
      impl->input = std::move(probed.input);
      result.opened = std::make_shared<OpenedFile>(std::move(impl));
    }
    result.media = std::move(probed.info);
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

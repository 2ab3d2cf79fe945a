// run_batch() and the names of the batch's states; the pipeline itself is batch/pipeline.hpp.
#include "mavi/batch.hpp"

#include "batch/pipeline.hpp"

namespace mavi {

std::string_view to_string(FileStatus status) noexcept {
  switch (status) {
    case FileStatus::uploaded:
      return "uploaded";
    case FileStatus::uploaded_earlier:
      return "uploaded_earlier";
    case FileStatus::duplicate:
      return "duplicate";
    case FileStatus::prepared:
      return "prepared";
    case FileStatus::ok:
      return "ok";
    case FileStatus::copied:
      return "copied";
    case FileStatus::planned:
      return "planned";
    case FileStatus::rejected:
      return "rejected";
    case FileStatus::failed:
      return "failed";
    case FileStatus::cancelled:
      return "cancelled";
  }
  return "failed";
}

std::string_view to_string(BatchEventKind kind) noexcept {
  switch (kind) {
    case BatchEventKind::checked:
      return "checked";
    case BatchEventKind::preparing:
      return "preparing";
    case BatchEventKind::prepared:
      return "prepared";
    case BatchEventKind::uploading:
      return "uploading";
    case BatchEventKind::uploaded:
      return "uploaded";
    case BatchEventKind::skipped:
      return "skipped";
    case BatchEventKind::failed:
      return "failed";
    case BatchEventKind::processed:
      return "processed";
    case BatchEventKind::finished:
      return "finished";
    case BatchEventKind::outside_shard:
      return "outside_shard";
  }
  return "failed";
}

std::string_view to_string(ServiceEvent::Kind kind) noexcept {
  switch (kind) {
    case ServiceEvent::Kind::unavailable:
      return "service_unavailable";
    case ServiceEvent::Kind::probe_failed:
      return "service_probe_failed";
    case ServiceEvent::Kind::restored:
      return "service_restored";
    case ServiceEvent::Kind::rate_limited:
      return "rate_limited";
  }
  return "service_unavailable";
}

BatchResult run_batch(const std::vector<std::filesystem::path>& files, const BatchOptions& options,
                      const Client* client, Journal* journal) {
  detail::batch::Pipeline pipeline(files, options, client, journal);
  return pipeline.run();
}

}  // namespace mavi

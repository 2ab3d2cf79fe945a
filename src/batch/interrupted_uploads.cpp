// Uploads an earlier run began and never confirmed, whose input has since changed or vanished:
// no file of this run has that content any more, so nothing else would ever look for them.
// Their video is looked up by the name it was sent under (v2: by the asset reserved for it),
// and recorded (or not found).
#include <system_error>

#include "batch/pipeline.hpp"
#include "mavi/error.hpp"
#include "mavi/fingerprint.hpp"
#include "mavi/probe.hpp"

namespace mavi::detail::batch {

namespace fs = std::filesystem;
using SystemClock = std::chrono::system_clock;

namespace {

// True when `path` still holds the content `fingerprint` names. A remote source cannot be
// told: it is left to a run that names its URL.
bool still_there(const JournalRecord& record) {
  if (is_remote_source(record.path.string()))
    return true;
  std::error_code ec;
  if (!fs::exists(record.path, ec))
    return false;
  try {
    return fingerprint(record.path).text() == record.fingerprint;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

void Pipeline::resolve_interrupted_uploads(BatchResult& result) {
  for (const JournalRecord& record : journal_.records()) {
    if (stopping())
      return;
    if (record.state != FileState::uploading || !record.upload_started ||
        record.base_url != base_url_ || still_there(record))
      continue;
    InterruptedUpload resolved;
    resolved.path = record.path;
    FileOutcome out;
    out.path = record.path;
    out.journal_id = record.id;
    const std::string name = options_.upload_options.filename.empty()
                                 ? upload_name(record.path, record.action != Action::none)
                                 : options_.upload_options.filename;
    const auto skew = client_->config().clock_skew_allowance;
    const TimeWindow window{*record.upload_started - skew, SystemClock::now() + skew};
    try {
      // By the name, and by the size the upload sent (journalled when it began: the input is
      // gone), so a video MAVI renamed is found too; v2 by the asset reserved for it.
      const UploadIdentity identity{name, record.upload_bytes, record.video.asset_id};
      const std::optional<VideoRecord> found =
          client_->find_uploaded(identity, window, options_.upload_options.unique_id);
      if (found && claim_video(found->video_no, record.id)) {
        journal_.uploaded(out, *found, 0, "0000");
        resolved.video = *found;
      } else {
        journal_.failed(out, Errc::not_found,
                        "the input changed or vanished after an interrupted upload, and MAVI "
                        "has no video named " +
                            name + " from then");
        resolved.error = "not found at MAVI: " + name;
      }
    } catch (const Error& e) {
      // Left `uploading`: the next run looks again.
      resolved.error = e.what();
    }
    result.interrupted_uploads.push_back(std::move(resolved));
  }
}

}  // namespace mavi::detail::batch

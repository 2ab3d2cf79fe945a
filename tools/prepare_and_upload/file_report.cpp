#include "prepare_and_upload/file_report.hpp"

#include "cli/batch_json.hpp"

#include <chrono>
#include <cstdio>

namespace mavi::cli {

using cli::Json;

std::string outcome_line(const FileOutcome& r, RunMode mode) {
  // People read "skipped" for a file left alone on purpose; JSON has the exact status.
  const bool left_alone =
      r.status == FileStatus::uploaded_earlier || r.status == FileStatus::duplicate;
  std::string status(left_alone ? "skipped" : to_string(r.status));
  status.resize(std::max<size_t>(status.size(), 9), ' ');
  std::string line = status + " " + printable(r.path.string());
  if (r.output && r.status != FileStatus::ok)
    line += " -> " + printable(r.output->string());
  if (r.output && !r.output_note.empty())
    line += "  (" + printable(r.output_note) + ")";
  char extra[160];
  switch (r.status) {
    case FileStatus::prepared:
      std::snprintf(extra, sizeof extra, "  (%s, %.1f s, %.1fx)",
                    std::string(to_string(r.action)).c_str(), r.prepare_seconds, r.prepare_speed);
      line += extra;
      break;
    case FileStatus::ok:
      line += mode.uploading ? "  (already accepted: uploaded as it is)" : "  (already accepted)";
      break;
    case FileStatus::copied:
      line += "  (already accepted, copied)";
      break;
    case FileStatus::planned:
      line += "  (" + std::string(to_string(r.action)) +
              (r.output ? "" : " into a private temporary folder") +
              (mode.uploading ? ", then uploaded)" : ")");
      break;
    case FileStatus::uploaded: {
      const UploadResult& u = *r.upload;
      std::snprintf(extra, sizeof extra, "  %s  %s  %.1f s", u.video.video_no.c_str(),
                    u.video.video_status.c_str(), static_cast<double>(u.elapsed.count()) / 1000.0);
      line += printable(extra);
      if (r.action == Action::remux)
        line += "  (remuxed)";
      else if (r.action == Action::transcode)
        line += "  (re-encoded)";
      if (u.recovered_by_lookup)
        line += "  (found on MAVI after an interrupted upload)";
      if (processing_state(u.video.video_status) == ProcessingState::failed)
        line += "  " + printable(processing_failure_text(u.video));
      break;
    }
    case FileStatus::uploaded_earlier:
      if (r.upload) {
        line += ": already uploaded as " + printable(r.upload->video.video_no);
        if (!r.upload->video.video_status.empty())
          line += " (" + printable(r.upload->video.video_status) + ")";
      }
      break;
    case FileStatus::duplicate:
    case FileStatus::rejected:
      line += ": " + printable(r.error);
      break;
    case FileStatus::failed:
    case FileStatus::cancelled:
      line += ": " + (r.error_kind ? std::string(to_string(*r.error_kind)) + ": " : std::string()) +
              printable(r.error);
      break;
  }
  return line;
}

std::string indented(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    out += "    " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace mavi::cli

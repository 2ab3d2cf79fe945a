// Remote sources (http:// and https:// arguments). The check reads over HTTP only what the
// probe needs (range requests where the server takes them). An acceptable source goes to MAVI
// by its URL where the generation fetches URLs itself (v1, up to 1 GB): no byte of it passes
// through here. Anything else is downloaded, streamed, into the work folder, and from then on
// handled as a local file; the download is removed once prepared or uploaded.
#include <system_error>

#include "batch/pipeline.hpp"
#include "http/download.hpp"
#include "http/url.hpp"
#include "mavi/error.hpp"
#include "mavi/fingerprint.hpp"

namespace mavi::detail::batch {

namespace fs = std::filesystem;

namespace {

void remove_quietly(const fs::path& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

}  // namespace

bool Pipeline::handle_remote(Item& item) {
  FileOutcome& out = item.outcome;
  const std::string url = out.path.string();
  item.remote = true;
  item.input = out.path;
  ProbeOptions probe_options;
  probe_options.cancel = options_.cancel;
  const CheckResult checked = check(out.path, probe_options, options_.rules);
  const std::uintmax_t size = checked.media ? checked.media->size_bytes : 0;
  item.remote_size = size;
  const Fingerprint fp = remote_fingerprint(url, size);
  out.fingerprint = fp.text();
  if (shard_of(fp, options_.shard_count) != options_.shard_index) {
    item.in_shard = false;
    return false;
  }
  item.started = true;
  if (journal_.enabled() && !use_journal(item, fp))
    return false;
  // By URL only when MAVI can fetch it: a size the server told, within MAVI's limit.
  item.by_url = uploading_ && checked.verdict.kind == VerdictKind::ok && client_ &&
                client_->uploads_by_url() && size > 0 && size <= kMaxUrlUploadBytes;
  return handle_checked(item, checked);
}

// Downloads the source into the work folder, checks the copy (kept open for prepare()) and
// goes on as with a local file.
bool Pipeline::fetch_and_handle(Item& item, bool needs_preparing) {
  FileOutcome& out = item.outcome;
  const std::string url = out.path.string();
  const fs::path download =
      staging_dir_ / (".download-" + std::to_string(out.index) + "-" + http::url_filename(url));
  const std::uintmax_t expected = item.remote_size;
  if (!budget_.acquire(expected, [this] { return stopping(); }))
    throw Error(Errc::cancelled, "interrupted before downloading " + http::without_query(url));
  item.held_bytes = expected;
  try {
    http::Settings settings;
    settings.low_speed_time = std::chrono::seconds(60);
    const std::uint64_t got = http::download(
        url, download, settings, [this](std::uint64_t, std::uint64_t) { return !stopping(); });
    budget_.adjust(item.held_bytes, got);
    item.held_bytes = got;
    item.input = download;
    ProbeOptions probe_options;
    probe_options.keep_open = true;
    probe_options.cancel = options_.cancel;
    const CheckResult local = check(download, probe_options, options_.rules);
    if (local.verdict.kind == VerdictKind::rejected || !local.media)
      throw Error(Errc::unreadable,
                  "the download of " + http::without_query(url) +
                      " is not the video its server showed: " +
                      (local.verdict.findings.empty() ? std::string("rejected")
                                                      : local.verdict.findings.front().message));
    if (needs_preparing) {
      // The download is read once by prepare(); the output takes its place in the budget.
      budget_.release(item.held_bytes);
      item.held_bytes = 0;
      const bool ready = prepare_item(item, local);
      remove_quietly(download);
      return ready;
    }
    const bool ready = accept_as_is(item);
    if (ready)
      item.delete_after_upload = true;  // the download is what goes up, and is ours
    else
      remove_quietly(download);
    return ready;
  } catch (...) {
    remove_quietly(download);
    budget_.release(item.held_bytes);
    item.held_bytes = 0;
    throw;
  }
}

}  // namespace mavi::detail::batch

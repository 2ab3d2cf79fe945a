#include "batch/pipeline.hpp"

#include <system_error>

#include "mavi/error.hpp"
#include "mavi/fingerprint.hpp"
#include "mavi/prepare.hpp"
#include "mavi/probe.hpp"
#include "prepare/place_file.hpp"

namespace mavi::detail::batch {

namespace fs = std::filesystem;
using SystemClock = std::chrono::system_clock;

namespace {

std::string first_error(const Verdict& verdict) {
  for (const auto& f : verdict.findings) {
    if (f.severity == Severity::error && f.fix == Action::none)
      return f.message;
  }
  for (const auto& f : verdict.findings) {
    if (f.severity == Severity::error)
      return f.message;
  }
  return "rejected";
}

// Copies an acceptable file into place through a temporary name, as prepare() writes.
void copy_into_place(const fs::path& input, const fs::path& output, bool replace) {
  const fs::path temp = output.parent_path() / ("." + output.filename().string() + ".partial");
  std::error_code ec;
  fs::copy_file(input, temp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw Error(ec == std::errc::no_space_on_device  ? Errc::disk_full
                : ec == std::errc::permission_denied ? Errc::permission_denied
                                                     : Errc::io,
                "copying " + input.string() + " to " + output.string() + ": " + ec.message(),
                ec.value());
  }
  try {
    detail::rename_into_place(temp, output, replace);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

}  // namespace

void Pipeline::prepare_worker() {
  for (;;) {
    if (stopping())
      break;
    const std::size_t i = next_.fetch_add(1);
    if (i >= items_.size())
      break;
    Item& item = items_[i];
    try {
      if (handle(item)) {
        enqueue(i);
        continue;
      }
    } catch (const Error& e) {
      fail(item, e.kind(), e.what());
    } catch (const std::exception& e) {
      fail(item, Errc::internal, std::string("internal error: ") + e.what());
    }
    finish(item);
  }
  {
    std::lock_guard lock(queue_mutex_);
    --producers_left_;
  }
  queue_ready_.notify_all();
}

// Returns true when the item is ready to upload.
bool Pipeline::handle(Item& item) {
  if (is_remote_source(item.outcome.path.string()))
    return handle_remote(item);
  FileOutcome& out = item.outcome;
  item.input = out.path;
  std::optional<Fingerprint> fp;
  if (journal_.enabled() || options_.shard_count > 1) {
    try {
      fp = fingerprint(out.path);
      out.fingerprint = fp->text();
    } catch (const Error&) {
      // check() below names what is wrong with the file; shard 0 reports it.
    }
  }
  const unsigned shard = fp ? shard_of(*fp, options_.shard_count) : 0;
  if (shard != options_.shard_index) {
    item.in_shard = false;
    return false;
  }
  item.started = true;
  if (journal_.enabled() && fp && !use_journal(item, *fp))
    return false;

  // Kept open for prepare(): the head is read and analysed once.
  ProbeOptions probe_options;
  probe_options.keep_open = true;
  probe_options.cancel = options_.cancel;
  return handle_checked(item, check(out.path, probe_options, options_.rules));
}

// The verdict known: rejected, found at MAVI already, accepted as it is, or prepared.
bool Pipeline::handle_checked(Item& item, const CheckResult& checked) {
  FileOutcome& out = item.outcome;
  out.verdict = checked.verdict;
  out.action = checked.verdict.action;
  journal_.verdict(out, checked.verdict.kind, checked.verdict.action);
  emit(BatchEventKind::checked, out);
  if (checked.verdict.kind == VerdictKind::rejected || !checked.media) {
    out.status = FileStatus::rejected;
    out.error = first_error(checked.verdict);
    journal_.skipped(out, out.error);
    emit(BatchEventKind::skipped, out);
    return false;
  }
  const bool needs_preparing = checked.verdict.kind != VerdictKind::ok;
  if (item.lookup_from) {
    try {
      if (recover_earlier_upload(item, needs_preparing))
        return false;
    } catch (const Error& e) {
      // MAVI unreachable: prepare anyway, the upload stage looks it up once MAVI is back.
      if (!is_service_wide(e.kind()))
        throw;
      item.look_up_before_upload = true;
    }
  }
  // A remote source is downloaded only for work that needs its bytes here.
  if (item.remote && !item.by_url && !options_.dry_run &&
      (needs_preparing || uploading_ || options_.copy_ok))
    return fetch_and_handle(item, needs_preparing);
  if (!needs_preparing)
    return accept_as_is(item);
  return prepare_item(item, checked);
}

// Returns false when the journal settles the file (already uploaded).
bool Pipeline::use_journal(Item& item, const Fingerprint& fp) {
  FileOutcome& out = item.outcome;
  const JournalRecord record = *journal_.open(fp, out.path, base_url_);
  if (const fs::path first = claim_record(record.id, out.path); first != out.path) {
    // The same content twice in one batch (a copy under another name): upload it once.
    out.status = FileStatus::duplicate;
    out.duplicate_of = first;
    out.error = "same content as " + first.string();
    emit(BatchEventKind::skipped, out);
    return false;
  }
  out.journal_id = record.id;
  const bool done = record.state == FileState::uploaded || record.state == FileState::processed;
  if (done && !options_.force) {
    out.status = FileStatus::uploaded_earlier;
    out.verdict.reset();
    out.action = record.action;
    UploadResult earlier;
    earlier.http_status = record.http_status;
    earlier.code = record.code;
    earlier.video = record.video;
    out.upload = earlier;
    emit(BatchEventKind::skipped, out);
    return false;
  }
  if (done) {
    journal_.reset(out, "--force: upload again");
  } else if (record.upload_attempts > 0 && record.upload_started) {
    // An earlier run began uploading this content and never recorded MAVI's answer.
    item.lookup_from = *record.upload_started - client_->config().clock_skew_allowance;
    item.asset_id = record.video.asset_id;
    item.last_upload_bytes = record.upload_bytes;
  }
  return true;
}

// Looks for the video an earlier, interrupted run may have delivered. True when found.
bool Pipeline::recover_earlier_upload(Item& item, bool prepared) {
  FileOutcome& out = item.outcome;
  const std::string name = options_.upload_options.filename.empty()
                               ? upload_name(out.path, prepared)
                               : options_.upload_options.filename;
  const TimeWindow window{*item.lookup_from,
                          SystemClock::now() + client_->config().clock_skew_allowance};
  // The size that upload sent; a journal of an earlier version did not keep it: then the size
  // of what this run would send.
  std::optional<std::uint64_t> size = item.last_upload_bytes;
  if (!size && !item.source.empty())
    size = item.size_to_send();
  const UploadIdentity identity{name, size, item.asset_id};
  const std::optional<VideoRecord> found =
      client_->find_uploaded(identity, window, options_.upload_options.unique_id);
  if (!found || !claim_video(found->video_no, out.journal_id))
    return false;
  UploadResult recovered;
  recovered.code = "0000";
  recovered.video = *found;
  recovered.recovered_by_lookup = true;
  journal_.uploaded(out, *found, 0, "0000");
  out.upload = recovered;
  out.status = FileStatus::uploaded;
  emit(BatchEventKind::uploaded, out);
  return true;
}

bool Pipeline::accept_as_is(Item& item) {
  FileOutcome& out = item.outcome;
  item.source = item.input;
  if (uploading_) {
    journal_.transition(
        out, FileState::prepared,
        item.by_url ? "acceptable as it is: MAVI fetches it by URL" : "acceptable as it is");
    return true;
  }
  out.status = FileStatus::ok;
  if (options_.copy_ok && names_) {
    const OutputName& name = names_->copy(item.outcome.index);  // keeps the input's name
    take_output(item, name);
    if (!options_.dry_run) {
      try {
        copy_into_place(item.input, name.path, name.ours);
      } catch (...) {
        out.output.reset();
        give_back_output(name);
        throw;
      }
      out.status = FileStatus::copied;
      emit(BatchEventKind::prepared, out);
    }
  }
  return false;
}

bool Pipeline::prepare_item(Item& item, const CheckResult& checked) {
  FileOutcome& out = item.outcome;
  out.plan = plan(checked, prepare_options_);
  out.action = out.plan->action;
  if (options_.dry_run) {
    if (names_)
      take_output(item, names_->prepared(item.outcome.index));
    out.status = FileStatus::planned;
    return false;
  }
  const OutputName& name = names_->prepared(item.outcome.index);
  const fs::path& output = name.path;
  take_output(item, name);
  std::error_code ec;
  const std::uintmax_t input_size = fs::file_size(item.input, ec);
  const std::uintmax_t estimate =
      out.plan->estimated_size_bytes != 0 ? out.plan->estimated_size_bytes : (ec ? 0 : input_size);
  if (!budget_.acquire(estimate, [this] { return stopping(); }))
    throw Error(Errc::cancelled, "interrupted before preparing " + out.path.string());
  item.held_bytes = estimate;
  journal_.transition(out, FileState::preparing, to_string(out.action));
  emit(BatchEventKind::preparing, out);
  PrepareOptions prepare_options = prepare_options_;
  prepare_options.replace_output = name.ours;
  PrepareResult done;
  try {
    done = prepare(checked, output, *out.plan, prepare_options,
                   [&](double done_s, double total_s, double speed) {
                     if (options_.prepare_progress)
                       options_.prepare_progress(out.path, done_s, total_s, speed);
                     return !stopping();
                   });
  } catch (...) {
    out.output.reset();
    give_back_output(name);
    budget_.release(item.held_bytes);
    item.held_bytes = 0;
    throw;
  }
  budget_.adjust(item.held_bytes, done.size_bytes);
  item.held_bytes = done.size_bytes;
  out.status = FileStatus::prepared;
  out.prepare_seconds = done.elapsed.count();
  out.prepare_speed = done.speed;
  journal_.transition(out, FileState::prepared, output.string());
  emit(BatchEventKind::prepared, out);
  item.source = output;
  if (!uploading_) {
    budget_.release(item.held_bytes);
    item.held_bytes = 0;
    return false;
  }
  item.delete_after_upload = options_.output_dir.empty() && !options_.keep_prepared;
  return true;
}

}  // namespace mavi::detail::batch

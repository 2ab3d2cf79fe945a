#include "mavi/journal.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <mutex>
#include <vector>

#include "journal/journal_file.hpp"
#include "journal/journal_lock.hpp"
#include "journal/journal_schema.hpp"
#include "mavi/error.hpp"
#include "sqlite/database.hpp"

namespace mavi {

using detail::journal::from_ms;
using detail::journal::kColumns;
using detail::journal::now_ms;
using detail::journal::read_record;
using detail::journal::to_ms;

std::string_view to_string(FileState state) noexcept {
  switch (state) {
    case FileState::pending:
      return "pending";
    case FileState::checked:
      return "checked";
    case FileState::preparing:
      return "preparing";
    case FileState::prepared:
      return "prepared";
    case FileState::uploading:
      return "uploading";
    case FileState::uploaded:
      return "uploaded";
    case FileState::processed:
      return "processed";
    case FileState::skipped:
      return "skipped";
    case FileState::failed:
      return "failed";
  }
  return "pending";
}

std::optional<FileState> file_state_from_string(std::string_view text) noexcept {
  for (FileState s : {FileState::pending, FileState::checked, FileState::preparing,
                      FileState::prepared, FileState::uploading, FileState::uploaded,
                      FileState::processed, FileState::skipped, FileState::failed}) {
    if (to_string(s) == text)
      return s;
  }
  return std::nullopt;
}

struct Journal::Impl {
  std::filesystem::path path;
  std::mutex mutex;                           // one connection, shared by the pipeline's threads
  std::unique_ptr<detail::JournalLock> lock;  // none when read-only
  detail::sqlite::Database db;
  detail::journal::FileWatch watch;

  Impl(const std::filesystem::path& p, const JournalOptions& options)
      : path(p),
        lock(options.read_only ? nullptr : take_lock(p, options)),
        db(p, options.read_only),
        watch(p) {
    if (options.read_only)
      return;
    db.exec("PRAGMA journal_mode=WAL");
    // FULL: a committed transition survives power loss too, not only a killed process.
    db.exec("PRAGMA synchronous=FULL");
    db.exec("PRAGMA foreign_keys=ON");
    db.exec(detail::journal::kSchema);
    detail::journal::add_missing_columns(db);
    // A journal that cannot be written must stop the batch before any work, not fail every
    // file one by one: take the write lock once now.
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
  }

  static std::unique_ptr<detail::JournalLock> take_lock(const std::filesystem::path& p,
                                                        const JournalOptions& options) {
    detail::journal::create_private(p);
    return std::make_unique<detail::JournalLock>(p, options.wait_for_lock, options.cancel);
  }

  JournalRecord get_locked(std::int64_t id) {
    auto row = db.prepare("SELECT " + std::string(kColumns) + " FROM files WHERE id = ?");
    row.bind(1, id);
    if (!row.step())
      throw Error(Errc::invalid_argument, "journal: no file #" + std::to_string(id));
    JournalRecord record = read_record(row);
    row.run();
    return record;
  }

  // One transaction: apply `update` (bound by the caller) and log the state change.
  template <typename Update>
  void change(std::int64_t id, std::optional<FileState> to, std::string_view detail,
              Update update) {
    std::lock_guard guard(mutex);
    watch.ensure_in_place();
    detail::sqlite::Transaction transaction(db);
    const JournalRecord before = get_locked(id);
    update();
    const FileState after = to.value_or(before.state);
    auto set_state = db.prepare("UPDATE files SET state = ?, updated_ms = ? WHERE id = ?");
    set_state.bind(1, to_string(after)).bind(2, now_ms()).bind(3, id).run();
    auto event = db.prepare(
        "INSERT INTO events (file_id, at_ms, from_state, to_state, detail) VALUES (?,?,?,?,?)");
    event.bind(1, id)
        .bind(2, now_ms())
        .bind(3, to_string(before.state))
        .bind(4, to_string(after))
        .bind(5, detail)
        .run();
    transaction.commit();
  }
};

std::filesystem::path Journal::default_path() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state == '/') {
    return std::filesystem::path(state) / "mavi" / "journal.sqlite";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "state" / "mavi" /
         "journal.sqlite";
}

Journal::Journal(const std::filesystem::path& path, const JournalOptions& options)
    : impl_(std::make_unique<Impl>(path, options)) {}
Journal::~Journal() = default;

const std::filesystem::path& Journal::path() const noexcept {
  return impl_->path;
}

JournalRecord Journal::open_record(const Fingerprint& fingerprint,
                                   const std::filesystem::path& path, std::string_view base_url) {
  std::lock_guard lock(impl_->mutex);
  impl_->watch.ensure_in_place();
  detail::sqlite::Transaction transaction(impl_->db);
  const std::string key = fingerprint.text();
  auto find = impl_->db.prepare("SELECT id FROM files WHERE fingerprint = ? AND base_url = ?");
  find.bind(1, key).bind(2, base_url);
  std::int64_t id = 0;
  if (find.step()) {
    id = find.integer(0);
    find.run();
    // Once uploaded, the record keeps the path that was uploaded: another copy of the same
    // content seen later must not take the videoNo's credit.
    auto update = impl_->db.prepare(
        "UPDATE files SET path = ? WHERE id = ? AND state NOT IN ('uploading', 'uploaded', "
        "'processed')");
    update.bind(1, path.string()).bind(2, id).run();
  } else {
    const std::int64_t now = now_ms();
    auto insert = impl_->db.prepare(
        "INSERT INTO files (fingerprint, base_url, path, state, created_ms, updated_ms) "
        "VALUES (?,?,?,?,?,?)");
    insert.bind(1, key)
        .bind(2, base_url)
        .bind(3, path.string())
        .bind(4, to_string(FileState::pending))
        .bind(5, now)
        .bind(6, now)
        .run();
    id = impl_->db.last_insert_id();
    auto event = impl_->db.prepare(
        "INSERT INTO events (file_id, at_ms, from_state, to_state, detail) VALUES (?,?,?,?,?)");
    event.bind(1, id).bind(2, now).bind(3, "").bind(4, "pending").bind(5, path.string()).run();
  }
  JournalRecord record = impl_->get_locked(id);
  transaction.commit();
  return record;
}

std::optional<JournalRecord> Journal::find(std::string_view fingerprint,
                                           std::string_view base_url) {
  std::lock_guard lock(impl_->mutex);
  auto row = impl_->db.prepare("SELECT " + std::string(kColumns) +
                               " FROM files WHERE fingerprint = ? AND base_url = ?");
  row.bind(1, fingerprint).bind(2, base_url);
  if (!row.step())
    return std::nullopt;
  JournalRecord record = read_record(row);
  row.run();
  return record;
}

JournalRecord Journal::get(std::int64_t id) {
  std::lock_guard lock(impl_->mutex);
  return impl_->get_locked(id);
}

void Journal::record_verdict(std::int64_t id, VerdictKind verdict, Action action) {
  impl_->change(id, FileState::checked, to_string(verdict), [&] {
    auto update = impl_->db.prepare("UPDATE files SET verdict = ?, action = ? WHERE id = ?");
    update.bind(1, to_string(verdict)).bind(2, to_string(action)).bind(3, id).run();
  });
}

void Journal::transition(std::int64_t id, FileState to, std::string_view detail) {
  impl_->change(id, to, detail, [] {});
}

void Journal::record_upload_started(std::int64_t id, const std::filesystem::path& path,
                                    std::optional<std::uint64_t> size_bytes) {
  impl_->change(id, FileState::uploading, path.string(), [&] {
    auto update = impl_->db.prepare(
        "UPDATE files SET path = ?, upload_started_ms = ?, upload_attempts = upload_attempts + 1, "
        "upload_bytes = ? WHERE id = ?");
    update.bind(1, path.string()).bind(2, now_ms());
    if (size_bytes)
      update.bind(3, static_cast<std::int64_t>(*size_bytes));
    else
      update.bind(3, std::nullopt);
    update.bind(4, id).run();
  });
}

void Journal::record_uploaded(std::int64_t id, const VideoRecord& video, int http_status,
                              std::string_view code) {
  impl_->change(id, FileState::uploaded, video.video_no, [&] {
    auto update = impl_->db.prepare(
        "UPDATE files SET video_no = ?, video_name = ?, video_status = ?, upload_time = ?, "
        "duration = ?, http_status = ?, code = ?, error = '', cause = ?, "
        "asset_id = CASE WHEN ? = '' THEN asset_id ELSE ? END WHERE id = ?");
    update.bind(1, video.video_no)
        .bind(2, video.video_name)
        .bind(3, video.video_status)
        .bind(4, video.upload_time)
        .bind(5, video.duration)
        .bind(6, static_cast<std::int64_t>(http_status))
        .bind(7, code)
        .bind(8, video.cause)
        .bind(9, video.asset_id)
        .bind(10, video.asset_id)
        .bind(11, id)
        .run();
  });
}

void Journal::record_asset_reserved(std::int64_t id, std::string_view asset_id) {
  impl_->change(id, std::nullopt, "asset " + std::string(asset_id), [&] {
    auto update = impl_->db.prepare("UPDATE files SET asset_id = ? WHERE id = ?");
    update.bind(1, asset_id).bind(2, id).run();
  });
}

void Journal::record_video_status(std::int64_t id, std::string_view video_status,
                                  std::string_view cause) {
  const bool final_status = is_final(processing_state(video_status));
  std::string detail(video_status);
  if (!cause.empty())
    detail += ": " + std::string(cause);
  impl_->change(id, final_status ? std::optional(FileState::processed) : std::nullopt, detail, [&] {
    auto update = impl_->db.prepare("UPDATE files SET video_status = ?, cause = ? WHERE id = ?");
    update.bind(1, video_status).bind(2, cause).bind(3, id).run();
  });
}

void Journal::record_failure(std::int64_t id, std::string_view error) {
  impl_->change(id, FileState::failed, error, [&] {
    auto update = impl_->db.prepare("UPDATE files SET error = ? WHERE id = ?");
    update.bind(1, error).bind(2, id).run();
  });
}

void Journal::record_upload_refused(std::int64_t id, std::string_view error) {
  impl_->change(id, FileState::failed, error, [&] {
    auto update =
        impl_->db.prepare("UPDATE files SET error = ?, upload_started_ms = NULL WHERE id = ?");
    update.bind(1, error).bind(2, id).run();
  });
}

void Journal::record_skipped(std::int64_t id, std::string_view reason) {
  impl_->change(id, FileState::skipped, reason, [&] {
    auto update = impl_->db.prepare("UPDATE files SET error = ? WHERE id = ?");
    update.bind(1, reason).bind(2, id).run();
  });
}

void Journal::reset(std::int64_t id, std::string_view reason) {
  impl_->change(id, FileState::pending, reason, [&] {
    auto update = impl_->db.prepare(
        "UPDATE files SET video_no = '', video_name = '', video_status = '', upload_time = '', "
        "duration = '', http_status = 0, code = '', error = '', upload_started_ms = NULL, "
        "asset_id = '' WHERE id = ?");
    update.bind(1, id).run();
  });
}

void Journal::record_output(const std::filesystem::path& output,
                            const std::filesystem::path& source) {
  std::lock_guard lock(impl_->mutex);
  impl_->watch.ensure_in_place();
  auto insert = impl_->db.prepare(
      "INSERT OR REPLACE INTO outputs (path, folder, source, created_ms) VALUES (?,?,?,?)");
  insert.bind(1, output.string())
      .bind(2, output.parent_path().string())
      .bind(3, source.string())
      .bind(4, now_ms())
      .run();
}

void Journal::forget_output(const std::filesystem::path& output) {
  std::lock_guard lock(impl_->mutex);
  auto erase = impl_->db.prepare("DELETE FROM outputs WHERE path = ?");
  erase.bind(1, output.string()).run();
}

std::vector<JournalOutput> Journal::outputs_in(const std::filesystem::path& folder) {
  std::lock_guard lock(impl_->mutex);
  auto row =
      impl_->db.prepare("SELECT path, source FROM outputs WHERE folder = ? ORDER BY created_ms");
  row.bind(1, folder.string());
  std::vector<JournalOutput> outputs;
  while (row.step())
    outputs.push_back({row.text(0), row.text(1)});
  return outputs;
}

std::int64_t Journal::record_outage_start(std::string_view base_url,
                                          std::chrono::system_clock::time_point from,
                                          std::string_view reason) {
  std::lock_guard lock(impl_->mutex);
  impl_->watch.ensure_in_place();
  auto insert =
      impl_->db.prepare("INSERT INTO outages (base_url, from_ms, to_ms, reason) VALUES (?,?,?,?)");
  const std::int64_t at = to_ms(from);
  insert.bind(1, std::string(base_url)).bind(2, at).bind(3, at).bind(4, std::string(reason)).run();
  return impl_->db.last_insert_id();
}

void Journal::record_outage_update(std::int64_t id, std::chrono::system_clock::time_point to,
                                   bool ended) {
  std::lock_guard lock(impl_->mutex);
  impl_->watch.ensure_in_place();
  auto update = impl_->db.prepare("UPDATE outages SET to_ms = ?, ended = ? WHERE id = ?");
  update.bind(1, to_ms(to)).bind(2, std::int64_t{ended}).bind(3, id).run();
}

std::vector<JournalOutage> Journal::outages() {
  std::lock_guard lock(impl_->mutex);
  // A journal written before outages were recorded has no such table (read-only: not added).
  auto exists =
      impl_->db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outages'");
  if (!exists.step())
    return {};
  auto row = impl_->db.prepare(
      "SELECT base_url, from_ms, to_ms, ended, reason FROM outages ORDER BY from_ms");
  std::vector<JournalOutage> outages;
  while (row.step()) {
    outages.push_back({row.text(0), from_ms(row.integer(1)), from_ms(row.integer(2)),
                       row.integer(3) != 0, row.text(4)});
  }
  return outages;
}

std::vector<JournalCopies> Journal::uploaded_copies(std::string_view base_url) {
  std::lock_guard lock(impl_->mutex);
  // A journal read (read-only) before this version has no deletions table: nothing deleted.
  auto table =
      impl_->db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deletions'");
  const bool has_deletions = table.step();
  table.run();
  const std::string deleted =
      has_deletions ? "EXISTS (SELECT 1 FROM deletions d WHERE d.base_url = f.base_url AND "
                      "d.video_no = e.detail)"
                    : "0";
  // record_uploaded() logs each upload as an event to 'uploaded' whose detail is the videoNo:
  // the only trace of a copy a later --force upload replaced.
  auto row = impl_->db.prepare(
      "SELECT f.id, f.path, f.base_url, f.video_no, e.detail, MAX(e.at_ms), " + deleted +
      " FROM files f JOIN events e ON e.file_id = f.id WHERE f.base_url = ? AND "
      "e.to_state = 'uploaded' AND e.detail <> '' GROUP BY f.id, e.detail "
      "ORDER BY f.id, MAX(e.id)");
  row.bind(1, base_url);
  std::vector<JournalCopies> out;
  while (row.step()) {
    if (out.empty() || out.back().file_id != row.integer(0)) {
      JournalCopies record;
      record.file_id = row.integer(0);
      record.path = row.text(1);
      record.base_url = row.text(2);
      record.video_no = row.text(3);
      out.push_back(std::move(record));
    }
    out.back().copies.push_back({row.text(4), from_ms(row.integer(5)), false, row.integer(6) != 0});
  }
  for (auto& record : out) {
    auto kept = std::find_if(record.copies.begin(), record.copies.end(),
                             [&](const JournalCopy& c) { return c.video_no == record.video_no; });
    if (record.video_no.empty()) {
      const auto live = std::find_if(record.copies.rbegin(), record.copies.rend(),
                                     [](const JournalCopy& c) { return !c.deleted; });
      kept = live == record.copies.rend() ? record.copies.end() : std::prev(live.base());
    }
    if (kept != record.copies.end())
      kept->kept = true;
  }
  return out;
}

void Journal::record_deleted(std::string_view base_url, std::string_view video_no) {
  std::lock_guard lock(impl_->mutex);
  impl_->watch.ensure_in_place();
  auto insert = impl_->db.prepare(
      "INSERT OR IGNORE INTO deletions (base_url, video_no, at_ms) VALUES (?,?,?)");
  insert.bind(1, base_url).bind(2, video_no).bind(3, now_ms()).run();
}

std::vector<JournalRecord> Journal::records() {
  std::lock_guard lock(impl_->mutex);
  auto row = impl_->db.prepare("SELECT " + std::string(kColumns) + " FROM files ORDER BY id");
  std::vector<JournalRecord> records;
  while (row.step())
    records.push_back(read_record(row));
  return records;
}

std::vector<JournalEvent> Journal::events(std::int64_t id) {
  std::lock_guard lock(impl_->mutex);
  auto row = impl_->db.prepare(
      "SELECT file_id, at_ms, from_state, to_state, detail FROM events WHERE file_id = ? "
      "ORDER BY id");
  row.bind(1, id);
  std::vector<JournalEvent> events;
  while (row.step()) {
    events.push_back(
        {row.integer(0), from_ms(row.integer(1)), row.text(2), row.text(3), row.text(4)});
  }
  return events;
}

}  // namespace mavi

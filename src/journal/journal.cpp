#include "mavi/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <vector>

#include "journal/journal_lock.hpp"
#include "mavi/error.hpp"
#include "sqlite/database.hpp"

namespace mavi {

namespace {

using Clock = std::chrono::system_clock;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  base_url TEXT NOT NULL,
  path TEXT NOT NULL,
  verdict TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  video_no TEXT NOT NULL DEFAULT '',
  video_name TEXT NOT NULL DEFAULT '',
  video_status TEXT NOT NULL DEFAULT '',
  upload_time TEXT NOT NULL DEFAULT '',
  duration TEXT NOT NULL DEFAULT '',
  http_status INTEGER NOT NULL DEFAULT 0,
  code TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  upload_attempts INTEGER NOT NULL DEFAULT 0,
  upload_started_ms INTEGER,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (fingerprint, base_url)
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id),
  at_ms INTEGER NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_by_file ON events(file_id);
CREATE TABLE IF NOT EXISTS outputs (
  path TEXT PRIMARY KEY,
  folder TEXT NOT NULL,
  source TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outputs_by_folder ON outputs(folder);
CREATE TABLE IF NOT EXISTS outages (
  id INTEGER PRIMARY KEY,
  base_url TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS deletions (
  base_url TEXT NOT NULL,
  video_no TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (base_url, video_no)
);
)sql";

constexpr std::string_view kColumns =
    "id, fingerprint, base_url, path, verdict, action, state, video_no, video_name, "
    "video_status, upload_time, duration, http_status, code, error, upload_attempts, "
    "upload_started_ms, created_ms, updated_ms, cause, asset_id, upload_bytes";

// Columns added after the first release, each with its type: a journal written before them
// gets them on opening (ALTER TABLE ... ADD COLUMN keeps every row).
struct AddedColumn {
  const char* name;
  const char* definition;
};
constexpr AddedColumn kAddedColumns[] = {
    {"cause", "TEXT NOT NULL DEFAULT ''"},     // why MAVI's processing failed, when it said
    {"asset_id", "TEXT NOT NULL DEFAULT ''"},  // v2: the asset reserved, then uploaded
    {"upload_bytes", "INTEGER"},  // the size of what the last upload sent (NULL: unknown)
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

std::int64_t to_ms(Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

Clock::time_point from_ms(std::int64_t ms) {
  return Clock::time_point(std::chrono::milliseconds(ms));
}

JournalRecord read_record(const detail::sqlite::Statement& row) {
  JournalRecord r;
  r.id = row.integer(0);
  r.fingerprint = row.text(1);
  r.base_url = row.text(2);
  r.path = row.text(3);
  r.verdict = verdict_kind_from_string(row.text(4));
  r.action = action_from_string(row.text(5)).value_or(Action::none);
  r.state = file_state_from_string(row.text(6)).value_or(FileState::pending);
  r.video.video_no = row.text(7);
  r.video.video_name = row.text(8);
  r.video.video_status = row.text(9);
  r.video.upload_time = row.text(10);
  r.video.duration = row.text(11);
  r.http_status = static_cast<int>(row.integer(12));
  r.code = row.text(13);
  r.error = row.text(14);
  r.upload_attempts = static_cast<int>(row.integer(15));
  if (!row.is_null(16))
    r.upload_started = from_ms(row.integer(16));
  r.created = from_ms(row.integer(17));
  r.updated = from_ms(row.integer(18));
  r.video.cause = row.text(19);
  r.video.asset_id = row.text(20);
  if (!row.is_null(21))
    r.upload_bytes = static_cast<std::uint64_t>(row.integer(21));
  return r;
}

// The journal holds paths and MAVI's answers: only its owner may read it.
void create_private(const std::filesystem::path& path) {
  if (path.has_parent_path()) {
    std::error_code ec;
    if (!std::filesystem::exists(path.parent_path(), ec)) {
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec) {
        throw Error(Errc::io,
                    "journal: create folder " + path.parent_path().string() + ": " + ec.message());
      }
      std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, ec);
    }
  }
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    const int err = errno;
    throw Error(err == EACCES ? Errc::permission_denied : Errc::io,
                "journal: create " + path.string() + ": " + std::strerror(err), err);
  }
}

}  // namespace

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

// The file a journal opened, to notice it being removed, moved or replaced during a run.
class FileWatch {
 public:
  explicit FileWatch(const std::filesystem::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0)
      id_ = {st.st_dev, st.st_ino};
  }
  ~FileWatch() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Throws Errc::journal when the file is no longer where, and what, it was.
  void ensure_in_place() const {
    if (fd_ < 0)
      return;
    struct stat open_file {};
    if (::fstat(fd_, &open_file) == 0 && open_file.st_nlink == 0)
      lost("was deleted");
    struct stat at_path {};
    if (::stat(path_.c_str(), &at_path) != 0) {
      lost(errno == ENOENT ? "was removed or moved (or its folder)"
                           : std::string("cannot be reached: ") + std::strerror(errno));
    }
    if (std::pair{at_path.st_dev, at_path.st_ino} != id_)
      lost("was replaced by another file");
  }

 private:
  [[noreturn]] void lost(const std::string& what) const {
    throw Error(Errc::journal, "the journal " + path_.string() + " " + what +
                                   " during the run: nothing more can be recorded");
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::pair<dev_t, ino_t> id_{};
};

struct Journal::Impl {
  std::filesystem::path path;
  std::mutex mutex;                           // one connection, shared by the pipeline's threads
  std::unique_ptr<detail::JournalLock> lock;  // none when read-only
  detail::sqlite::Database db;
  FileWatch watch;

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
    db.exec(kSchema);
    add_missing_columns();
    // A journal that cannot be written must stop the batch before any work, not fail every
    // file one by one: take the write lock once now.
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
  }

  void add_missing_columns() {
    std::vector<std::string> have;
    auto columns = db.prepare("PRAGMA table_info(files)");
    while (columns.step())
      have.push_back(columns.text(1));
    for (const AddedColumn& column : kAddedColumns) {
      if (std::find(have.begin(), have.end(), column.name) == have.end()) {
        db.exec(std::string("ALTER TABLE files ADD COLUMN ") + column.name + " " +
                column.definition);
      }
    }
  }

  static std::unique_ptr<detail::JournalLock> take_lock(const std::filesystem::path& p,
                                                        const JournalOptions& options) {
    create_private(p);
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

#include "journal/journal_schema.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace mavi::detail::journal {

const std::string_view kSchema = R"sql(
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

const std::string_view kColumns =
    "id, fingerprint, base_url, path, verdict, action, state, video_no, video_name, "
    "video_status, upload_time, duration, http_status, code, error, upload_attempts, "
    "upload_started_ms, created_ms, updated_ms, cause, asset_id, upload_bytes";

namespace {

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

}  // namespace

void add_missing_columns(sqlite::Database& db) {
  std::vector<std::string> have;
  auto columns = db.prepare("PRAGMA table_info(files)");
  while (columns.step())
    have.push_back(columns.text(1));
  for (const AddedColumn& column : kAddedColumns) {
    if (std::find(have.begin(), have.end(), column.name) == have.end()) {
      db.exec(std::string("ALTER TABLE files ADD COLUMN ") + column.name + " " + column.definition);
    }
  }
}

JournalRecord read_record(const sqlite::Statement& row) {
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

}  // namespace mavi::detail::journal

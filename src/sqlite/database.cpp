#include "sqlite/database.hpp"

#include "mavi/error.hpp"

namespace mavi::detail::sqlite {

namespace {

// Every SQLite failure means the journal cannot be used: the message names its file.
[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  throw Error(Errc::journal,
              "journal " + std::string(file != nullptr ? file : "") + ": " + std::string(what) +
                  ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"),
              db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_NOMEM);
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    fail(db, "prepare");
  }
  statement_.reset(raw);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_.get(), index, value) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // An empty view may have a null data(), which SQLite would store as NULL, not "".
  if (sqlite3_bind_text(statement_.get(), index, value.data() != nullptr ? value.data() : "",
                        static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(db_, "bind");
  }
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (sqlite3_bind_null(statement_.get(), index) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(statement_.get());
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(statement_.get());
    return false;
  }
  sqlite3_reset(statement_.get());
  fail(db_, "step");
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_.get(), column);
}

std::string Statement::text(int column) const {
  const auto* text = sqlite3_column_text(statement_.get(), column);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

Database::Database(const std::filesystem::path& path, bool read_only) {
  sqlite3* raw = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_FULLMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK)
    fail(raw, "open");
  // Another process (a second shard on the same journal by mistake) waits instead of failing.
  sqlite3_busy_timeout(raw, 10'000);
}

void Database::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    const char* file = sqlite3_db_filename(db_.get(), "main");
    throw Error(Errc::journal,
                "journal " + std::string(file != nullptr ? file : "") + ": " + reason,
                sqlite3_extended_errcode(db_.get()));
  }
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace mavi::detail::sqlite

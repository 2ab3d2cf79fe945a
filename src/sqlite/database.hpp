// Private: thin RAII over the SQLite C API (connections and prepared statements).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mavi::detail::sqlite {

struct ConnectionDeleter {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, std::nullopt_t);
  // True while a row is available; false when done. Throws mavi::Error(Errc::journal).
  bool step();
  void run() {
    while (step()) {
    }
  }

  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StatementDeleter> statement_;
};

class Database {
 public:
  // Opens (read_only: never creates or writes). Throws mavi::Error(Errc::journal).
  Database(const std::filesystem::path& path, bool read_only);

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_.get(), sql); }
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }

 private:
  std::unique_ptr<sqlite3, ConnectionDeleter> db_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace mavi::detail::sqlite

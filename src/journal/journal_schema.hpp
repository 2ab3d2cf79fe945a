// The journal's SQLite schema: its tables, the columns added since the first release (added to
// an older journal on opening), and one row of `files` read back as a JournalRecord. Times are
// stored as milliseconds since the epoch.
//
// Private to libmavi (src/journal/journal.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "mavi/journal.hpp"
#include "sqlite/database.hpp"

namespace mavi::detail::journal {

// Every table and index, created when missing.
extern const std::string_view kSchema;

// The columns of `files`, in the order read_record() reads them.
extern const std::string_view kColumns;

// Adds the columns a journal written by an earlier version lacks (ALTER TABLE ... ADD COLUMN
// keeps every row).
void add_missing_columns(sqlite::Database& db);

// One row of SELECT kColumns FROM files.
JournalRecord read_record(const sqlite::Statement& row);

using Clock = std::chrono::system_clock;

inline std::int64_t to_ms(Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

inline std::int64_t now_ms() {
  return to_ms(Clock::now());
}

inline Clock::time_point from_ms(std::int64_t ms) {
  return Clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace mavi::detail::journal

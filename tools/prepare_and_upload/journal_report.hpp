// --report: what a journal knows, for people (a table) or pipelines (JSON with every state
// transition).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string_view>

#include "mavi/journal.hpp"

namespace mavi::cli {

void print_journal(Journal& journal, bool json, std::ostream& out);

// --report: opens the journal at `journal_path` read-only (a report may be read while a batch
// runs), prints it on stdout and returns the exit status: 0, 1 no journal there or it could not
// be read, 70 stdout could not be written.
int run_report(const std::filesystem::path& journal_path, bool json, std::string_view program);

}  // namespace mavi::cli

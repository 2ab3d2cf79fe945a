// --report: what a journal knows, for people (a table) or pipelines (JSON with every state
// transition).
#pragma once

#include <iosfwd>

#include "mavi/journal.hpp"

namespace mavi::cli {

void print_journal(Journal& journal, bool json, std::ostream& out);

}  // namespace mavi::cli

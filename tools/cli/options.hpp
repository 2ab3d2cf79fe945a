// Conventions every program's command line follows (CLI11), applied in one place.
#pragma once

#include <CLI/CLI.hpp>

namespace mavi::cli {

// Every option that takes values takes exactly one value per occurrence: `--tag a b.mkv`
// is the tag "a" and the PATH "b.mkv", never two tags. Repeatable options collect one value
// each time they are given. Call after every option is added.
void one_value_per_occurrence(CLI::App& app);

}  // namespace mavi::cli

// mavi-prepare-and-upload --delete-duplicates and --delete: deleting at MAVI the videos this
// journal's uploads made, instead of running a batch (docs/upload.md, "Clean-up").
#pragma once

#include <filesystem>
#include <string_view>

#include "prepare_and_upload/options.hpp"

namespace mavi::cli {

// Runs the clean-up the options ask for, with the journal at `journal_path`, and returns the
// exit status: 0 everything asked for deleted (or nothing to delete; with --dry-run: nothing
// refused), 1 some video failed or was refused, 64 no usable client configuration, 74 the
// journal stopped working, 75 another run holds it. Needs a mavi::HttpGlobal.
int run_clean_up(const PrepareCliOptions& options, const std::filesystem::path& journal_path,
                 std::string_view program);

}  // namespace mavi::cli

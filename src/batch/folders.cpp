#include "batch/pipeline.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <system_error>

#include "http/url.hpp"
#include "mavi/error.hpp"
#include "mavi/probe.hpp"
#include "prepare/place_file.hpp"

namespace mavi::detail::batch {

namespace fs = std::filesystem;

namespace {

// Creates `dir` when missing: with the umask's mode (a folder for the user's results), or
// private (0700) for a work folder. An existing folder is used as it is. A folder that cannot
// be used is an io (or permission_denied) error, not a usage error: the command was right.
fs::path make_folder(const fs::path& dir, bool private_folder) {
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (!ec && !existed && private_folder)
    ::chmod(dir.c_str(), 0700);
  if (ec || !fs::is_directory(dir)) {
    throw Error(ec == std::errc::permission_denied ? Errc::permission_denied : Errc::io,
                "cannot use folder " + dir.string() + ": " +
                    (ec ? ec.message() : std::string("not a folder")));
  }
  return dir;
}

fs::path make_temporary_dir() {
  std::string pattern = (fs::temp_directory_path() / "mavi-work-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)  // mode 0700
    throw Error(Errc::io,
                "cannot create a temporary work folder in " + fs::temp_directory_path().string());
  return pattern;
}

}  // namespace

void Pipeline::set_up_folders() {
  if (options_.dry_run) {
    // Nothing is created. Without a folder of the user's, a real run would write into a
    // private temporary folder: no name to show.
    staging_dir_ = !options_.output_dir.empty() ? options_.output_dir : options_.work_dir;
    if (staging_dir_.empty())
      return;
  } else if (!options_.output_dir.empty()) {
    staging_dir_ = make_folder(options_.output_dir, false);
  } else if (!options_.work_dir.empty()) {
    staging_dir_ = make_folder(options_.work_dir, true);
  } else {
    staging_dir_ = make_temporary_dir();
    own_staging_dir_ = true;
  }
  std::vector<fs::path> inputs;
  for (const auto& item : items_) {
    // A URL's outputs are named after its path, without the query.
    const std::string path = item.outcome.path.string();
    inputs.push_back(is_remote_source(path) ? fs::path(http::without_query(path))
                                            : item.outcome.path);
  }
  // Outputs in a folder of the user's are journalled: a re-run keeps each input's name.
  if (own_staging_dir_)
    output_journal_ = nullptr;
  const std::vector<JournalOutput> earlier =
      output_journal_ ? output_journal_->outputs_in(OutputNames::key(staging_dir_))
                      : std::vector<JournalOutput>{};
  names_ =
      std::make_unique<OutputNames>(staging_dir_, inputs, options_.copy_ok && !uploading_, earlier);
}

// Takes `name` for `item`: recorded in the journal before anything is written, so that a
// crash leaves the next run knowing the file is the batch's own.
void Pipeline::take_output(Item& item, const OutputName& name) {
  item.outcome.output = name.path;
  item.outcome.output_note = name.note;
  if (output_journal_ && !name.ours)
    output_journal_->record_output(name.key, OutputNames::key(item.outcome.path));
}

// A failed output leaves no claim on a name the batch never wrote.
void Pipeline::give_back_output(const OutputName& name) {
  if (output_journal_ && !name.ours) {
    try {
      output_journal_->forget_output(name.key);
    } catch (const Error&) {
      // The name stays reserved: harmless, the next run uses it again for this input.
    }
  }
}

void Pipeline::finish_work_file(Item& item) {
  if (item.delete_after_upload) {
    std::error_code ignored;
    fs::remove(item.source, ignored);
    item.outcome.output.reset();
  }
  budget_.release(item.held_bytes);
  item.held_bytes = 0;
}

}  // namespace mavi::detail::batch

// OutputNames: the names prepared outputs get, chosen for every input in input order before
// any work starts, so that they never depend on which worker finishes first.
//
// A prepared file is named after the input's stem with ".mp4", a copy (--copy-ok) keeps the
// input's own name. The name an earlier run of the batch gave the same input in this folder
// (the journal knows it) is kept, so a re-run maps each input to the output it got before.
// Any other name already taken (by a file on disk the batch did not make, an input, another
// input's earlier output, or an earlier input of this run) gets the next free "-N" instead.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "mavi/journal.hpp"

namespace mavi::detail::batch {

struct OutputName {
  std::filesystem::path path;  // in the folder as the caller named it
  std::filesystem::path key;   // absolute, as the journal keeps it
  bool ours = false;           // an earlier run of the batch wrote it: it may be replaced
  std::string note;            // when the plain name was taken: why this one was chosen
};

class OutputNames {
 public:
  // `earlier`: the outputs the journal knows in `dir` (paths absolute). With `copies`, copy
  // names are chosen too (each input then reserves both of its names).
  OutputNames(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& inputs,
              bool copies, const std::vector<JournalOutput>& earlier);

  const OutputName& prepared(std::size_t input_index) const { return prepared_.at(input_index); }
  const OutputName& copy(std::size_t input_index) const { return copies_.at(input_index); }

  // The absolute form of a path as the journal keeps it (for an input or an output).
  static std::filesystem::path key(const std::filesystem::path& path);

 private:
  std::vector<OutputName> prepared_;
  std::vector<OutputName> copies_;
};

}  // namespace mavi::detail::batch

#include "batch/output_names.hpp"

#include <sys/stat.h>

#include <map>
#include <set>
#include <system_error>
#include <utility>

namespace mavi::detail::batch {

namespace fs = std::filesystem;

namespace {

using FileId = std::pair<dev_t, ino_t>;

class Chooser {
 public:
  Chooser(const fs::path& dir, const std::vector<fs::path>& inputs,
          const std::vector<JournalOutput>& earlier)
      : dir_(dir), key_dir_(OutputNames::key(dir)) {
    for (const auto& in : inputs) {
      struct stat st {};
      if (::stat(in.c_str(), &st) == 0)
        input_ids_.insert({st.st_dev, st.st_ino});
    }
    for (const auto& out : earlier) {
      earlier_by_source_[out.source.string()].push_back(out.path);
      taken_by_earlier_.insert(out.path.string());
    }
  }

  OutputName choose(const fs::path& input, const std::string& extension) {
    const std::string source = OutputNames::key(input).string();
    if (auto it = earlier_by_source_.find(source); it != earlier_by_source_.end()) {
      for (const auto& path : it->second) {
        // An earlier output given to this run as an input stays an input.
        if (path.extension() == extension && !is_an_input(path) &&
            used_.insert(path.string()).second)
          return {dir_ / path.filename(), path, true, {}};
      }
    }
    const std::string stem = input.stem().string();
    std::string why;
    for (int n = 1;; ++n) {
      // The folder is canonical, the name is not resolved: a symlink there is a taken name,
      // never a way to write somewhere else.
      const std::string name =
          n == 1 ? stem + extension : stem + "-" + std::to_string(n) + extension;
      const fs::path candidate = key_dir_ / name;
      const std::string text = candidate.string();
      std::string taken;
      if (used_.count(text) != 0)
        taken = "goes to an earlier input of this batch";
      else if (taken_by_earlier_.count(text) != 0)
        taken = "was written from another input by an earlier run";
      else if (is_an_input(candidate))
        taken = "is an input";
      else if (std::error_code ec; fs::exists(fs::symlink_status(candidate, ec)))
        taken = "exists and was not made by this batch";
      if (!taken.empty()) {
        if (why.empty())
          why = name + " " + taken;
        continue;
      }
      used_.insert(text);
      return {dir_ / name, candidate, false,
              why.empty() ? std::string() : why + ": writing " + name + " instead"};
    }
  }

 private:
  bool is_an_input(const fs::path& candidate) const {
    struct stat st {};
    return ::stat(candidate.c_str(), &st) == 0 && input_ids_.count({st.st_dev, st.st_ino}) != 0;
  }

  fs::path dir_;
  fs::path key_dir_;
  std::set<FileId> input_ids_;
  std::map<std::string, std::vector<fs::path>> earlier_by_source_;
  std::set<std::string> taken_by_earlier_;
  std::set<std::string> used_;
};

}  // namespace

fs::path OutputNames::key(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? fs::absolute(path).lexically_normal() : absolute;
}

OutputNames::OutputNames(const fs::path& dir, const std::vector<fs::path>& inputs, bool copies,
                         const std::vector<JournalOutput>& earlier) {
  Chooser chooser(dir, inputs, earlier);
  prepared_.reserve(inputs.size());
  for (const auto& input : inputs) {
    prepared_.push_back(chooser.choose(input, ".mp4"));
    if (copies) {
      const std::string extension = input.extension().string();
      copies_.push_back(extension == ".mp4" ? prepared_.back() : chooser.choose(input, extension));
    }
  }
}

}  // namespace mavi::detail::batch

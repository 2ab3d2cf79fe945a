#include "mavi/discover.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "mavi/probe.hpp"

namespace mavi {

namespace fs = std::filesystem;

namespace {

// What folders of real material hold: today's containers, and the older or rarer ones FFmpeg
// reads (QuickTime .qt, DivX, RealMedia, raw MPEG video, camcorder .mod/.tod, DVD-VR .vro, Ogg
// Media, NUT, and the game movies Bink, Smacker, RoQ and THP).
constexpr std::array<std::string_view, 40> kVideoExtensions{
    ".mp4", ".m4v", ".mov", ".qt",  ".mkv",  ".webm", ".avi",  ".divx", ".wmv", ".asf",
    ".flv", ".f4v", ".3gp", ".3g2", ".mpg",  ".mpeg", ".mpe",  ".m1v",  ".m2v", ".m2p",
    ".vob", ".vro", ".mod", ".tod", ".ts",   ".m2t",  ".m2ts", ".mts",  ".trp", ".ogv",
    ".ogm", ".mxf", ".dv",  ".rm",  ".rmvb", ".nut",  ".bik",  ".smk",  ".roq", ".thp"};

// A Video CD keeps its MPEG files as MPEGAV/AVSEQnn.DAT: .dat counts there, nowhere else.
bool is_video_cd_track(const fs::path& path, const std::string& lower_ext) {
  if (lower_ext != ".dat")
    return false;
  std::string folder = path.parent_path().filename().string();
  std::transform(folder.begin(), folder.end(), folder.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return folder == "mpegav";
}

// A directory's identity: the same folder reached through a symlink has the same pair.
using DirId = std::pair<dev_t, ino_t>;

std::string kind_of(mode_t mode) {
  if (S_ISFIFO(mode))
    return "FIFO";
  if (S_ISSOCK(mode))
    return "socket";
  if (S_ISCHR(mode))
    return "character device";
  if (S_ISBLK(mode))
    return "block device";
  return "special file";
}

std::string reason_for(int error) {
  switch (error) {
    case ENOENT:
      return "does not exist";
    case EACCES:
    case EPERM:
      return "permission denied";
    case ELOOP:
      return "symlink loop";
    case ENOTDIR:
      return "a component of the path is not a folder";
    default:
      return std::strerror(error);
  }
}

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

class Walker {
 public:
  explicit Walker(const DiscoverOptions& options) : options_(options) {}

  void add_named(const fs::path& path) {
    if (path == "-") {
      // As an argument "-" usually means standard input; a video needs seeking.
      note(path, "standard input is not supported: name the file", true);
      return;
    }
    if (is_remote_source(path.string())) {
      if (options_.allow_urls)
        take(path, true);
      else
        note(path, "a URL: this program reads local files only", true);
      return;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      const int error = errno;
      struct stat lst {};
      if (error == ENOENT && ::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
        note(path, "broken symbolic link", true);
      } else {
        note(path, reason_for(error), true);
      }
      return;
    }
    if (S_ISREG(st.st_mode)) {
      take(path, true);
    } else if (S_ISDIR(st.st_mode)) {
      const std::size_t before = result_.files.size();
      skipped_other_ = 0;
      const bool listed = walk(path, {st.st_dev, st.st_ino}, true);
      if (listed && result_.files.size() == before) {
        std::string reason = "no video files found";
        if (skipped_other_ > 0 && !options_.all_files) {
          reason += " (" + std::to_string(skipped_other_) +
                    " other file(s) skipped by extension; --all-files takes them)";
        }
        note(path, reason, false);
      }
    } else {
      // Reading a FIFO or device could block forever or never end: never probe one.
      note(path, "not a regular file (" + kind_of(st.st_mode) + ")", true);
    }
  }

  Discovery take_result() { return std::move(result_); }

 private:
  void note(const fs::path& path, std::string reason, bool is_error) {
    result_.notes.push_back({path, std::move(reason), is_error});
  }

  void take(const fs::path& path, bool named) {
    // The same file named twice (or named and inside a named folder) is examined once.
    if (!seen_files_.insert(path.lexically_normal().string()).second)
      return;
    result_.files.push_back({path, named});
  }

  // `ancestors` holds the folders on the way down: meeting one again is a loop. False when
  // `dir` itself could not be listed (which is noted).
  bool walk(const fs::path& dir, DirId id, bool named) {
    if (!visited_dirs_.insert(id).second) {
      if (!named)
        note(dir, "folder already examined through another path", false);
      return true;
    }
    ancestors_.insert(id);

    std::error_code ec;
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      entries.push_back(it->path());
    }
    if (ec) {
      // A folder we cannot list may hide videos: always an error, named or not.
      note(dir, "cannot read folder: " + reason_for(ec.value()), true);
      ancestors_.erase(id);
      return false;
    }
    std::sort(entries.begin(), entries.end());

    for (const fs::path& entry : entries) {
      if (is_hidden(entry) && !options_.include_hidden) {
        // Hidden entries are mostly tool droppings (.DS_Store, macOS "._clip.mp4" forks,
        // .git): skip quietly, but say so for a hidden file that looks like a video.
        struct stat lst {};
        if (has_video_extension(entry) && ::lstat(entry.c_str(), &lst) == 0 &&
            !S_ISDIR(lst.st_mode)) {
          note(entry, "hidden file skipped (--hidden takes it)", false);
        }
        continue;
      }
      struct stat st {};
      if (::stat(entry.c_str(), &st) != 0) {
        const int error = errno;
        struct stat lst {};
        if (error == ENOENT && ::lstat(entry.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
          note(entry, "broken symbolic link", false);
        } else {
          note(entry, reason_for(error), error != ELOOP);
        }
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        const DirId child{st.st_dev, st.st_ino};
        if (ancestors_.count(child) != 0) {
          note(entry, "symlink loop (leads back to a folder being examined)", false);
          continue;
        }
        walk(entry, child, false);
      } else if (S_ISREG(st.st_mode)) {
        if (options_.all_files || has_video_extension(entry)) {
          take(entry, false);
        } else {
          ++skipped_other_;
        }
      } else {
        note(entry, "not a regular file (" + kind_of(st.st_mode) + ")", false);
      }
    }
    ancestors_.erase(id);
    return true;
  }

  const DiscoverOptions& options_;
  Discovery result_;
  std::set<DirId> visited_dirs_;
  std::set<DirId> ancestors_;
  std::set<std::string> seen_files_;
  std::size_t skipped_other_ = 0;
};

}  // namespace

bool has_video_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return std::find(kVideoExtensions.begin(), kVideoExtensions.end(), ext) !=
             kVideoExtensions.end() ||
         is_video_cd_track(path, ext);
}

Discovery discover(const std::vector<fs::path>& paths, const DiscoverOptions& options) {
  Walker walker(options);
  for (const fs::path& path : paths)
    walker.add_named(path);
  return walker.take_result();
}

}  // namespace mavi

// discover(): turn the PATHs a user typed into the list of files to examine.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mavi {

struct DiscoverOptions {
  bool all_files = false;  // in folders, take every regular file, not only video extensions
  // In folders, also take entries whose name starts with '.'. Off by default: they are mostly
  // tool droppings (.DS_Store, macOS "._clip.mp4" resource forks, .git).
  bool include_hidden = false;
  // Take http:// and https:// arguments as remote sources (mavi-check reads them over HTTP);
  // otherwise each is a note that names the reason.
  bool allow_urls = false;
};

struct DiscoveredFile {
  std::filesystem::path path;
  bool named_explicitly = false;  // typed by the user (always examined, whatever its extension)
};

// Something skipped or impossible while walking, for a note on stderr.
struct DiscoverNote {
  std::filesystem::path path;
  std::string reason;  // "symlink loop", "not a regular file (FIFO)", "does not exist", ...
  // A PATH the user named that cannot be used (missing, not a regular file or folder), or a
  // folder that cannot be listed (it may hide videos). Other notes are informational.
  bool is_error = false;
};

struct Discovery {
  std::vector<DiscoveredFile> files;  // in the order given; folders sorted by path
  std::vector<DiscoverNote> notes;
};

// Folders are walked recursively, following symlinks but never into a loop; FIFOs, sockets
// and devices are skipped with a note. A file named explicitly is always taken. A named folder
// that yields no file gets a note "no video files found" (not an error). The same path is
// listed once. No I/O beyond stat and listing folders; nothing is opened or modified.
Discovery discover(const std::vector<std::filesystem::path>& paths,
                   const DiscoverOptions& options = {});

// True when the extension (case-insensitive) is one of the video extensions folders are
// scanned for: .mp4 .m4v .mov .qt .mkv .webm .avi .divx .wmv .asf .flv .f4v .3gp .3g2 .mpg
// .mpeg .mpe .m1v .m2v .m2p .vob .vro .mod .tod .ts .m2t .m2ts .mts .trp .ogv .ogm .mxf .dv .rm
// .rmvb .nut .bik .smk .roq .thp, or .dat in a Video CD's MPEGAV folder.
bool has_video_extension(const std::filesystem::path& path);

}  // namespace mavi

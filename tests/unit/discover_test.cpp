// discover(): which files a list of PATHs turns into, on real temporary folders.
#include "mavi/discover.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;
using mavi::discover;
using mavi::DiscoverOptions;
using mavi::Discovery;
using mavi::test::TempDir;

namespace {

void touch(const fs::path& path, const std::string& content = "x") {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

// Paths relative to `root`, in the order discover() listed them.
std::vector<std::string> relative_files(const Discovery& d, const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& f : d.files)
    out.push_back(f.path.lexically_relative(root).string());
  return out;
}

const mavi::DiscoverNote* find_note(const Discovery& d, const std::string& needle) {
  for (const auto& n : d.notes) {
    if (n.reason.find(needle) != std::string::npos)
      return &n;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("has_video_extension is case-insensitive and knows the listed extensions") {
  using mavi::has_video_extension;
  for (const char* name : {"a.mp4", "a.MP4", "b.Mov", "c.mkv", "d.webm", "e.AVI", "f.ts", "g.m2ts",
                           "h.mts", "i.mpeg", "j.3g2", "k.dv", "l.mxf", "dir.d/x.ogv",
                           // Older and rarer containers, and game movies.
                           "m.qt", "n.RM", "o.rmvb", "p.divx", "q.m2v", "r.m1v", "s.nut", "t.bik",
                           "u.smk", "v.roq", "w.thp", "x.vro", "y.MOD", "z.tod",
                           // A Video CD's tracks.
                           "VCD/MPEGAV/AVSEQ01.DAT", "cd/mpegav/avseq02.dat"}) {
    INFO(name);
    CHECK(has_video_extension(name));
  }
  for (const char* name : {"a.txt", "mp4", "a.mp4.part", "a.jpg", "a.m4a", "a.mp3", ".mp4x", "",
                           "a.dat", "VCD/SEGMENT/ITEM0001.DAT", "MPEGAV/AVSEQ01.DAT.txt"}) {
    INFO(name);
    CHECK_FALSE(has_video_extension(name));
  }
}

TEST_CASE("a folder is walked recursively, sorted, video extensions only") {
  TempDir tmp;
  touch(tmp / "b.mp4");
  touch(tmp / "a.MKV");
  touch(tmp / "notes.txt");
  touch(tmp / "photo.jpg");
  touch(tmp / "no_extension");
  touch(tmp / "sub/z.avi");
  touch(tmp / "sub/deeper/clip.Mov");
  touch(tmp / "c.webm");

  const Discovery d = discover({tmp.path()});
  CHECK(relative_files(d, tmp.path()) ==
        std::vector<std::string>{"a.MKV", "b.mp4", "c.webm", "sub/deeper/clip.Mov", "sub/z.avi"});
  for (const auto& f : d.files)
    CHECK_FALSE(f.named_explicitly);
  CHECK(d.notes.empty());

  SECTION("--all-files takes every regular file") {
    DiscoverOptions options;
    options.all_files = true;
    const Discovery all = discover({tmp.path()}, options);
    CHECK(relative_files(all, tmp.path()) ==
          std::vector<std::string>{"a.MKV", "b.mp4", "c.webm", "no_extension", "notes.txt",
                                   "photo.jpg", "sub/deeper/clip.Mov", "sub/z.avi"});
  }
}

TEST_CASE("hidden entries are skipped in folders unless asked for") {
  TempDir tmp;
  touch(tmp / "clip.mp4");
  touch(tmp / "._clip.mp4");  // macOS resource fork: not a video
  touch(tmp / ".DS_Store");
  touch(tmp / ".cache/inside.mp4");

  const Discovery d = discover({tmp.path()});
  CHECK(relative_files(d, tmp.path()) == std::vector<std::string>{"clip.mp4"});
  const auto* note = find_note(d, "hidden");
  REQUIRE(note != nullptr);
  CHECK(note->path.filename() == "._clip.mp4");
  CHECK_FALSE(note->is_error);

  DiscoverOptions options;
  options.include_hidden = true;
  const Discovery all = discover({tmp.path()}, options);
  CHECK(relative_files(all, tmp.path()) ==
        std::vector<std::string>{"._clip.mp4", ".cache/inside.mp4", "clip.mp4"});

  SECTION("a hidden file named explicitly is taken") {
    const Discovery named = discover({tmp / "._clip.mp4"});
    REQUIRE(named.files.size() == 1);
    CHECK(named.files[0].named_explicitly);
  }
}

TEST_CASE("a file named explicitly is taken whatever its extension, in the order given") {
  TempDir tmp;
  touch(tmp / "readme.txt");
  touch(tmp / "z.mp4");
  touch(tmp / "dir/a.mp4");

  const Discovery d = discover({tmp / "z.mp4", tmp / "readme.txt", tmp / "dir"});
  REQUIRE(d.files.size() == 3);
  CHECK(d.files[0].path == tmp / "z.mp4");
  CHECK(d.files[0].named_explicitly);
  CHECK(d.files[1].path == tmp / "readme.txt");
  CHECK(d.files[1].named_explicitly);
  CHECK(d.files[2].path == tmp / "dir" / "a.mp4");
  CHECK_FALSE(d.files[2].named_explicitly);
  CHECK(d.notes.empty());

  SECTION("the same file named twice, or named and inside a named folder, is listed once") {
    const Discovery twice = discover({tmp / "z.mp4", tmp.path(), tmp / "z.mp4"});
    CHECK(relative_files(twice, tmp.path()) == std::vector<std::string>{"z.mp4", "dir/a.mp4"});
  }
}

TEST_CASE("a missing PATH is an error note, the others are still taken") {
  TempDir tmp;
  touch(tmp / "a.mp4");
  const Discovery d = discover({tmp / "missing.mp4", tmp / "a.mp4", tmp / "no/such/dir"});
  CHECK(relative_files(d, tmp.path()) == std::vector<std::string>{"a.mp4"});
  REQUIRE(d.notes.size() == 2);
  CHECK(d.notes[0].path == tmp / "missing.mp4");
  CHECK(d.notes[0].reason == "does not exist");
  CHECK(d.notes[0].is_error);
  CHECK(d.notes[1].is_error);
}

TEST_CASE("a folder with no videos gets a note that is not an error") {
  TempDir tmp;
  fs::create_directories(tmp / "empty");
  touch(tmp / "docs/a.txt");
  touch(tmp / "docs/b.pdf");

  const Discovery empty = discover({tmp / "empty"});
  CHECK(empty.files.empty());
  REQUIRE(empty.notes.size() == 1);
  CHECK(empty.notes[0].reason == "no video files found");
  CHECK_FALSE(empty.notes[0].is_error);

  const Discovery docs = discover({tmp / "docs"});
  CHECK(docs.files.empty());
  REQUIRE(docs.notes.size() == 1);
  CHECK(docs.notes[0].reason.find("2 other file(s)") != std::string::npos);
}

TEST_CASE("symlinks are followed but loops are detected") {
  TempDir tmp;
  touch(tmp / "root/a.mp4");
  touch(tmp / "root/sub/b.mp4");
  fs::create_directory_symlink("..", tmp / "root/sub/up");          // loop to an ancestor
  fs::create_directory_symlink(tmp / "root", tmp / "root/self");    // loop to the root
  fs::create_symlink("self_loop.mp4", tmp / "root/self_loop.mp4");  // ELOOP on stat
  fs::create_symlink("gone.mp4", tmp / "root/dangling.mp4");
  touch(tmp / "elsewhere/c.mp4");
  fs::create_directory_symlink(tmp / "elsewhere", tmp / "root/link_to_elsewhere");
  fs::create_symlink(tmp / "root/a.mp4", tmp / "root/z_alias.mp4");

  const Discovery d = discover({tmp / "root"});
  CHECK(relative_files(d, tmp / "root") ==
        std::vector<std::string>{"a.mp4", "link_to_elsewhere/c.mp4", "sub/b.mp4", "z_alias.mp4"});
  int loops = 0;
  for (const auto& n : d.notes) {
    CHECK_FALSE(n.is_error);
    if (n.reason.find("loop") != std::string::npos)
      ++loops;
  }
  CHECK(loops == 3);  // self, sub/up, self_loop.mp4
  CHECK(find_note(d, "broken symbolic link") != nullptr);

  SECTION("a folder reached twice through symlinks is examined once") {
    const Discovery twice = discover({tmp / "root", tmp / "elsewhere"});
    CHECK(twice.files.size() == 4);
  }
  SECTION("a named broken symlink is an error") {
    const Discovery named = discover({tmp / "root/dangling.mp4"});
    CHECK(named.files.empty());
    REQUIRE(named.notes.size() == 1);
    CHECK(named.notes[0].is_error);
  }
}

TEST_CASE("FIFOs are never taken: skipped in folders, an error when named") {
  TempDir tmp;
  touch(tmp / "a.mp4");
  REQUIRE(::mkfifo((tmp / "pipe.mp4").c_str(), 0600) == 0);

  const Discovery d = discover({tmp.path()});
  CHECK(relative_files(d, tmp.path()) == std::vector<std::string>{"a.mp4"});
  const auto* note = find_note(d, "FIFO");
  REQUIRE(note != nullptr);
  CHECK(note->path == tmp / "pipe.mp4");
  CHECK_FALSE(note->is_error);

  const Discovery named = discover({tmp / "pipe.mp4"});
  CHECK(named.files.empty());
  REQUIRE(named.notes.size() == 1);
  CHECK(named.notes[0].is_error);
  CHECK(named.notes[0].reason.find("FIFO") != std::string::npos);

  const Discovery device = discover({"/dev/null"});
  CHECK(device.files.empty());
  REQUIRE(device.notes.size() == 1);
  CHECK(device.notes[0].reason.find("character device") != std::string::npos);
}

TEST_CASE("a folder that cannot be listed is an error note") {
  TempDir tmp;
  touch(tmp / "top/a.mp4");
  touch(tmp / "top/locked/b.mp4");
  fs::permissions(tmp / "top/locked", fs::perms::none);

  // Run discover() as an unprivileged user: root reads every folder whatever its mode.
  // Counts the error notes for a locked folder met inside a walk and for one named directly.
  auto locked_notes = [&]() -> int {
    int errors = 0;
    const Discovery walked = discover({tmp / "top"});
    const Discovery named = discover({tmp / "top/locked"});
    for (const auto* d : {&walked, &named}) {
      for (const auto& n : d->notes) {
        if (n.is_error && n.reason.find("permission denied") != std::string::npos)
          ++errors;
      }
    }
    const bool files_ok = walked.files.size() == 1 && walked.files[0].path == tmp / "top/a.mp4" &&
                          named.files.empty();
    return files_ok ? errors : -1;
  };

  if (::geteuid() != 0) {
    CHECK(locked_notes() == 2);
    return;
  }
  // As root: a forked child drops to nobody (65534) and reports through its exit status.
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::group_exec |
                                  fs::perms::others_exec | fs::perms::others_read);
  fs::permissions(tmp / "top",
                  fs::perms::owner_all | fs::perms::others_exec | fs::perms::others_read);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0)
      ::_exit(100);
    const int errors = locked_notes();
    ::_exit(errors < 0 ? 101 : std::min(errors, 99));
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 100)
    MAVI_SKIP("could not drop privileges to nobody: permission case not exercised");
  CHECK(WEXITSTATUS(status) == 2);
}

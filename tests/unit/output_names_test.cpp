// OutputNames (src/batch/output_names.hpp): the names prepared outputs get, chosen in input
// order before any work starts. It looks at the output folder, so each case has its own
// TempDir.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "batch/output_names.hpp"
#include "mavi/journal.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;
using mavi::JournalOutput;
using mavi::detail::batch::OutputNames;

namespace {

fs::path touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x";
  return path;
}

}  // namespace

TEST_CASE("OutputNames: input order decides which input gets the plain name", "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out);
  const fs::path first = touch(tmp / "a" / "clip.mov");
  const fs::path second = touch(tmp / "b" / "clip.avi");

  const OutputNames names(out, {first, second}, false, {});
  CHECK(names.prepared(0).path == out / "clip.mp4");
  CHECK(names.prepared(0).key == OutputNames::key(out / "clip.mp4"));
  CHECK(names.prepared(0).note.empty());
  CHECK_FALSE(names.prepared(0).ours);
  CHECK(names.prepared(1).path == out / "clip-2.mp4");
  CHECK(names.prepared(1).note ==
        "clip.mp4 goes to an earlier input of this batch: writing clip-2.mp4 instead");
  CHECK_FALSE(names.prepared(1).ours);

  const OutputNames swapped(out, {second, first}, false, {});
  CHECK(swapped.prepared(0).path == out / "clip.mp4");
  CHECK(swapped.prepared(1).path == out / "clip-2.mp4");

  const fs::path third = touch(tmp / "c" / "clip.mkv");
  const OutputNames three(out, {first, second, third}, false, {});
  CHECK(three.prepared(2).path == out / "clip-3.mp4");
}

TEST_CASE("OutputNames: a file already in the folder is never chosen, and the note says why",
          "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path out = tmp / "out";
  touch(out / "clip.mp4");
  const fs::path input = touch(tmp / "in" / "clip.mov");

  const OutputNames names(out, {input}, false, {});
  CHECK(names.prepared(0).path == out / "clip-2.mp4");
  CHECK_FALSE(names.prepared(0).ours);
  CHECK(names.prepared(0).note ==
        "clip.mp4 exists and was not made by this batch: writing clip-2.mp4 instead");

  touch(out / "clip-2.mp4");
  const OutputNames again(out, {input}, false, {});
  CHECK(again.prepared(0).path == out / "clip-3.mp4");
  // The note names the plain name, the first one that was taken.
  CHECK(again.prepared(0).note ==
        "clip.mp4 exists and was not made by this batch: writing clip-3.mp4 instead");
}

TEST_CASE("OutputNames: an input is never an output", "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path dir = tmp / "videos";
  const fs::path input = touch(dir / "clip.mp4");

  // Prepared in the input's own folder, under however the input was named.
  for (const fs::path& named : {input, dir / "sub" / ".." / "clip.mp4"}) {
    INFO(named);
    fs::create_directories(dir / "sub");
    const OutputNames names(dir, {named}, true, {});
    CHECK(names.prepared(0).path == dir / "clip-2.mp4");
    CHECK(names.prepared(0).note == "clip.mp4 is an input: writing clip-2.mp4 instead");
    CHECK(names.copy(0).path == dir / "clip-2.mp4");
  }

  // A hard link to an input is that input too.
  const fs::path elsewhere = touch(tmp / "elsewhere" / "other.mov");
  fs::create_directories(tmp / "out");
  fs::create_hard_link(elsewhere, tmp / "out" / "other.mp4");
  const OutputNames linked(tmp / "out", {elsewhere}, false, {});
  CHECK(linked.prepared(0).path == tmp / "out" / "other-2.mp4");
  CHECK(linked.prepared(0).note == "other.mp4 is an input: writing other-2.mp4 instead");
}

TEST_CASE("OutputNames: a copy keeps the input's extension, an MP4's copy is its prepared name",
          "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out);
  const fs::path mov = touch(tmp / "a" / "clip.mov");
  const fs::path mov_too = touch(tmp / "b" / "clip.mov");
  const fs::path mp4 = touch(tmp / "c" / "talk.mp4");

  const OutputNames names(out, {mov, mov_too, mp4}, true, {});
  CHECK(names.prepared(0).path == out / "clip.mp4");
  CHECK(names.copy(0).path == out / "clip.mov");
  // Each input reserves both its names, so the second gets -2 for both.
  CHECK(names.prepared(1).path == out / "clip-2.mp4");
  CHECK(names.copy(1).path == out / "clip-2.mov");
  CHECK(names.prepared(2).path == out / "talk.mp4");
  CHECK(names.copy(2).path == names.prepared(2).path);
}

TEST_CASE("OutputNames: the name the journal gave an input before is reused and marked ours",
          "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path out = tmp / "out";
  const fs::path input = touch(tmp / "in" / "clip.mov");
  // An earlier run found clip.mp4 taken and wrote clip-2.mp4; clip.mp4 has since gone.
  touch(out / "clip-2.mp4");
  const std::vector<JournalOutput> earlier{
      {OutputNames::key(out / "clip-2.mp4"), OutputNames::key(input)},
      {OutputNames::key(out / "clip-2.mov"), OutputNames::key(input)},
  };

  const OutputNames names(out, {input}, true, earlier);
  CHECK(names.prepared(0).path == out / "clip-2.mp4");
  CHECK(names.prepared(0).key == OutputNames::key(out / "clip-2.mp4"));
  CHECK(names.prepared(0).ours);
  CHECK(names.prepared(0).note.empty());
  // Matched by extension: the copy gets the copy the journal knows, not the prepared file.
  CHECK(names.copy(0).path == out / "clip-2.mov");
  CHECK(names.copy(0).ours);

  // Another input of this run does not get that name.
  const fs::path other = touch(tmp / "other" / "clip.avi");
  const OutputNames two(out, {other, input}, false, earlier);
  CHECK(two.prepared(0).path == out / "clip.mp4");
  CHECK_FALSE(two.prepared(0).ours);
  CHECK(two.prepared(1).path == out / "clip-2.mp4");
  CHECK(two.prepared(1).ours);
}

TEST_CASE("OutputNames: a name an earlier run wrote from another input is skipped",
          "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out);
  const fs::path input = touch(tmp / "in" / "clip.mov");
  const fs::path gone = tmp / "gone" / "clip.mov";  // that input need not exist any more
  // Not on disk either (uploaded and removed): the journal's word is enough.
  const std::vector<JournalOutput> earlier{
      {OutputNames::key(out / "clip.mp4"), OutputNames::key(gone)}};

  const OutputNames names(out, {input}, false, earlier);
  CHECK(names.prepared(0).path == out / "clip-2.mp4");
  CHECK_FALSE(names.prepared(0).ours);
  CHECK(names.prepared(0).note ==
        "clip.mp4 was written from another input by an earlier run: writing clip-2.mp4 instead");
}

TEST_CASE("OutputNames: a symlink in the folder is a taken name, even a dangling one",
          "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path out = tmp / "out";
  fs::create_directories(out);
  const fs::path input = touch(tmp / "in" / "clip.mov");
  fs::create_symlink(tmp / "nowhere" / "clip.mp4", out / "clip.mp4");  // dangling
  fs::create_symlink(touch(tmp / "target.mp4"), out / "clip-2.mp4");

  const OutputNames names(out, {input}, false, {});
  CHECK(names.prepared(0).path == out / "clip-3.mp4");
  CHECK(names.prepared(0).note ==
        "clip.mp4 exists and was not made by this batch: writing clip-3.mp4 instead");
  CHECK(fs::is_symlink(out / "clip.mp4"));
  CHECK_FALSE(fs::exists(tmp / "nowhere"));
}

TEST_CASE("OutputNames: the key is absolute and normal, whatever the path was", "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path dir = tmp / "d";
  fs::create_directories(dir / "sub");
  const fs::path key = OutputNames::key(dir / "sub" / ".." / "x.mp4");
  CHECK(key.is_absolute());
  CHECK(key == OutputNames::key(dir / "x.mp4"));
  CHECK(key.filename() == "x.mp4");
  // The folder part is resolved through symlinks, so two spellings of one folder agree.
  fs::create_directory_symlink(dir, tmp / "alias");
  CHECK(OutputNames::key(tmp / "alias" / "x.mp4") == key);
}

// A re-run given last run's output as an input too must not name that input as another
// input's output.
TEST_CASE("OutputNames: an earlier output given as an input is not reused as an output",
          "[batch][names]") {
  mavi::test::TempDir tmp;
  const fs::path out = tmp / "out";
  const fs::path source = touch(tmp / "in" / "clip.mov");
  const fs::path earlier_output = touch(out / "clip.mp4");
  const std::vector<JournalOutput> earlier{
      {OutputNames::key(earlier_output), OutputNames::key(source)}};

  const OutputNames names(out, {earlier_output, source}, false, earlier);
  CHECK(names.prepared(0).path == out / "clip-2.mp4");
  CHECK(names.prepared(1).key != OutputNames::key(earlier_output));
}

// Journal and fingerprint on real files in a scratch folder.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "mavi/error.hpp"
#include "mavi/fingerprint.hpp"
#include "mavi/journal.hpp"
#include "support/paths.hpp"

using namespace mavi;

namespace {

void write_file(const std::filesystem::path& path, std::size_t size, char fill) {
  std::ofstream out(path, std::ios::binary);
  std::string block(size, fill);
  out.write(block.data(), static_cast<std::streamsize>(block.size()));
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("fingerprint depends on content and size, not on name", "[fingerprint]") {
  test::TempDir dir;
  write_file(dir / "a.bin", 1000, 'x');
  write_file(dir / "b.bin", 1000, 'x');
  write_file(dir / "c.bin", 1000, 'y');
  write_file(dir / "d.bin", 1001, 'x');
  CHECK(fingerprint(dir / "a.bin") == fingerprint(dir / "b.bin"));
  CHECK_FALSE(fingerprint(dir / "a.bin") == fingerprint(dir / "c.bin"));
  CHECK_FALSE(fingerprint(dir / "a.bin") == fingerprint(dir / "d.bin"));
  CHECK(fingerprint(dir / "a.bin").size_bytes == 1000);
  CHECK(fingerprint(dir / "a.bin").content_hash.size() == 64);
}

TEST_CASE("fingerprint of a large file sees changes in its sampled regions", "[fingerprint]") {
  test::TempDir dir;
  const auto path = dir / "big.bin";
  write_file(path, 20u << 20, 'z');
  const Fingerprint before = fingerprint(path);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>((20u << 20) - 10));
    f.put('!');
  }
  CHECK_FALSE(fingerprint(path) == before);
}

TEST_CASE("fingerprint errors name the file", "[fingerprint]") {
  try {
    fingerprint("/nonexistent/x.mp4");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::not_found);
    CHECK(std::string(e.what()).find("/nonexistent/x.mp4") != std::string::npos);
  }
}

TEST_CASE("shards partition fingerprints evenly and stably", "[fingerprint]") {
  test::TempDir dir;
  std::vector<int> counts(4, 0);
  for (int i = 0; i < 200; ++i) {
    const auto path = dir / ("f" + std::to_string(i));
    write_file(path, 100 + static_cast<std::size_t>(i), 'a');
    const Fingerprint fp = fingerprint(path);
    const unsigned shard = shard_of(fp, 4);
    REQUIRE(shard < 4);
    CHECK(shard_of(fp, 4) == shard);
    ++counts[shard];
  }
  for (int c : counts)
    CHECK(c > 20);
  CHECK(shard_of(fingerprint(dir / "f0"), 1) == 0);
}

TEST_CASE("journal is private, records transitions, and survives reopening", "[journal]") {
  test::TempDir dir;
  const auto path = dir / "state" / "mavi" / "journal.sqlite";
  write_file(dir / "clip.mp4", 500, 'v');
  const Fingerprint fp = fingerprint(dir / "clip.mp4");
  std::int64_t id = 0;
  {
    Journal journal(path);
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(path.parent_path()) == 0700);
    const JournalRecord record = journal.open_record(fp, dir / "clip.mp4", "http://127.0.0.1:1");
    id = record.id;
    CHECK(record.state == FileState::pending);
    journal.record_verdict(id, VerdictKind::ok, Action::none);
    journal.transition(id, FileState::prepared);
    journal.record_upload_started(id, "/videos/a.mp4");
    CHECK(journal.get(id).state == FileState::uploading);
    CHECK(journal.get(id).upload_started.has_value());
    VideoRecord video{"VI123", "clip.mp4", "UNPARSE", "1700000000000", "1.0"};
    journal.record_uploaded(id, video, 200, "0000");
  }
  Journal reopened(path);
  const auto found = reopened.find(fp.text(), "http://127.0.0.1:1");
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(found->state == FileState::uploaded);
  CHECK(found->video.video_no == "VI123");
  CHECK(found->code == "0000");
  CHECK(found->upload_attempts == 1);
  CHECK(found->verdict == VerdictKind::ok);
  CHECK(found->action == Action::none);
  CHECK_FALSE(reopened.find(fp.text(), "https://other.example").has_value());

  reopened.record_video_status(id, "UNPARSE");
  CHECK(reopened.get(id).state == FileState::uploaded);
  reopened.record_video_status(id, "PARSE");
  CHECK(reopened.get(id).state == FileState::processed);

  const auto events = reopened.events(id);
  std::vector<std::string> states;
  for (const auto& e : events)
    states.push_back(e.to_state);
  CHECK(states == std::vector<std::string>{"pending", "checked", "prepared", "uploading",
                                           "uploaded", "uploaded", "processed"});
}

TEST_CASE("the same content at another path is the same journal record", "[journal]") {
  test::TempDir dir;
  write_file(dir / "a.mp4", 300, 'q');
  write_file(dir / "copy.mp4", 300, 'q');
  Journal journal(dir / "j.sqlite");
  const auto first = journal.open_record(fingerprint(dir / "a.mp4"), dir / "a.mp4", "u");
  journal.record_failure(first.id, "network: reset");
  const auto second = journal.open_record(fingerprint(dir / "copy.mp4"), dir / "copy.mp4", "u");
  CHECK(second.id == first.id);
  CHECK(second.path == dir / "copy.mp4");
  CHECK(second.state == FileState::failed);
  CHECK(second.error == "network: reset");
  journal.reset(second.id, "--force");
  CHECK(journal.get(second.id).state == FileState::pending);
  CHECK(journal.get(second.id).error.empty());
  CHECK(journal.records().size() == 1);
}

TEST_CASE("default journal path follows XDG_STATE_HOME, then HOME", "[journal]") {
  const char* saved_state = std::getenv("XDG_STATE_HOME");
  const std::string saved = saved_state != nullptr ? saved_state : "";
  ::setenv("XDG_STATE_HOME", "/tmp/xdg-state", 1);
  CHECK(Journal::default_path() == "/tmp/xdg-state/mavi/journal.sqlite");
  ::unsetenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  REQUIRE(home != nullptr);
  CHECK(Journal::default_path() ==
        std::filesystem::path(home) / ".local/state/mavi/journal.sqlite");
  if (saved_state != nullptr)
    ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
}

TEST_CASE("a journal that cannot be created is a clear error", "[journal]") {
  test::TempDir dir;
  write_file(dir / "file", 10, 'f');
  try {
    Journal journal(dir / "file" / "journal.sqlite");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("journal") != std::string::npos);
  }
}

// Journal and fingerprint on real files in a scratch folder.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
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

TEST_CASE("a remote source's fingerprint is its URL and size", "[fingerprint]") {
  const Fingerprint a = remote_fingerprint("http://h/a.mp4", 1000);
  CHECK(a == remote_fingerprint("http://h/a.mp4", 1000));
  CHECK_FALSE(a == remote_fingerprint("http://h/a.mp4", 1001));
  CHECK_FALSE(a == remote_fingerprint("http://h/b.mp4", 1000));
  CHECK(a.size_bytes == 1000);
  CHECK(a.content_hash.size() == 64);
  // Never the key of a local file with the same bytes as the URL's text.
  test::TempDir dir;
  {
    std::ofstream out(dir / "f", std::ios::binary);
    out << "http://h/a.mp4";
  }
  CHECK_FALSE(fingerprint(dir / "f").content_hash == a.content_hash);
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
    VideoRecord video;
    video.video_no = "VI123";
    video.video_name = "clip.mp4";
    video.video_status = "UNPARSE";
    video.upload_time = "1700000000000";
    video.duration = "1.0";
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

TEST_CASE("a v2 upload's asset is journalled before the answer", "[journal]") {
  test::TempDir dir;
  write_file(dir / "a.mp4", 500, 'v');
  Journal journal(dir / "j.sqlite");
  const auto record = journal.open_record(fingerprint(dir / "a.mp4"), dir / "a.mp4", "u");
  journal.record_upload_started(record.id, dir / "a.mp4");
  journal.record_asset_reserved(record.id, "re_1");
  CHECK(journal.get(record.id).video.asset_id == "re_1");
  CHECK(journal.get(record.id).state == FileState::uploading);
  journal.record_asset_reserved(record.id, "re_2");  // an expired URL taken again
  // An answer without an asset (a lookup of another generation) keeps the one reserved.
  VideoRecord video;
  video.video_no = "re_2";
  journal.record_uploaded(record.id, video, 200, "0000");
  CHECK(journal.get(record.id).video.asset_id == "re_2");
  journal.reset(record.id, "--force");
  CHECK(journal.get(record.id).video.asset_id.empty());
}

TEST_CASE("a journal of an earlier version gains the new columns", "[journal]") {
  test::TempDir dir;
  const auto path = dir / "old.sqlite";
  // The first release's files table: no cause, no asset_id.
  const std::string script =
      "import sqlite3,sys\n"
      "db=sqlite3.connect(sys.argv[1])\n"
      "db.execute(\"CREATE TABLE files (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL, "
      "base_url TEXT NOT NULL, path TEXT NOT NULL, verdict TEXT NOT NULL DEFAULT '', action TEXT "
      "NOT NULL DEFAULT '', state TEXT NOT NULL, video_no TEXT NOT NULL DEFAULT '', video_name "
      "TEXT NOT NULL DEFAULT '', video_status TEXT NOT NULL DEFAULT '', upload_time TEXT NOT NULL "
      "DEFAULT '', duration TEXT NOT NULL DEFAULT '', http_status INTEGER NOT NULL DEFAULT 0, code "
      "TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '', upload_attempts INTEGER NOT NULL "
      "DEFAULT 0, upload_started_ms INTEGER, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT "
      "NULL, UNIQUE (fingerprint, base_url))\")\n"
      "db.execute(\"INSERT INTO files (fingerprint, base_url, path, state, video_no, created_ms, "
      "updated_ms) VALUES ('1-ab', 'u', '/v/a.mp4', 'uploaded', 'VI9', 1, 1)\")\n"
      "db.commit()\n";
  {
    std::ofstream out(dir / "make_old.py");
    out << script;
  }
  REQUIRE(std::system(("python3 '" + (dir / "make_old.py").string() + "' '" + path.string() + "'")
                          .c_str()) == 0);
  Journal journal(path);
  const auto record = journal.find("1-ab", "u");
  REQUIRE(record);
  CHECK(record->video.video_no == "VI9");
  CHECK(record->video.asset_id.empty());
  CHECK(record->video.cause.empty());
  journal.record_asset_reserved(record->id, "re_5");
  CHECK(journal.get(record->id).video.asset_id == "re_5");
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

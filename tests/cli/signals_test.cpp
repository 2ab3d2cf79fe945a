// SIGINT and SIGTERM while the programs work: mavi-check deep-checking a folder of long clips,
// mavi-prepare-and-upload re-encoding a long clip into -o DIR. Each must stop soon (a bound
// far above what it needs, so a loaded machine cannot make it flaky), exit the way the signal
// would (130 / 143 to a shell), leave no temporary output behind and the input untouched.
// (Signals while uploading, with the journal, are tested with the batch tool.)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/clips.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mavi::test::ffmpeg;
using mavi::test::TempDir;

namespace {

// How long a program may take to stop after the signal before the test calls it hung.
constexpr auto kStopBound = 20s;

// A program running in the background, its output in files, so the test can signal it.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& log_dir) {
    const fs::path out = log_dir / "stdout.txt";
    const fs::path err = log_dir / "stderr.txt";
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr))
        _exit(126);
      std::vector<char*> args;
      for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() {
    if (status_ >= 0)
      return false;
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_)
      status_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    return status_ < 0;
  }
  // The exit code a shell would show, or -1 when it did not end within `bound`.
  int wait_for(std::chrono::seconds bound) {
    const auto until = std::chrono::steady_clock::now() + bound;
    while (running() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(20ms);
    return status_;
  }
  void signal(int number) { ::kill(pid_, number); }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A 5-minute 720p MPEG-4 Part 2 clip (MAVI wants H.264, so preparing re-encodes it): ten
// seconds encoded once, then repeated without re-encoding, so making it takes seconds while
// decoding or re-encoding it takes far longer than the test waits.
fs::path long_clip(const TempDir& dir) {
  const fs::path piece = dir / "piece.avi";
  const fs::path clip = dir / "long clip.avi";
  ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i",
          "sine=frequency=440:sample_rate=48000", "-t", "10", "-c:v", "mpeg4", "-q:v", "6", "-c:a",
          "mp3", piece.string()});
  ffmpeg({"-stream_loop", "29", "-i", piece.string(), "-c", "copy", clip.string()});
  fs::remove(piece);
  return clip;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("SIGINT and SIGTERM stop mavi-check --deep over a folder: 130 / 143, soon") {
  TempDir media;
  const fs::path clip = long_clip(media);
  const auto size = fs::file_size(clip);
  // Three names for the same long clip (hard links: no extra disk).
  TempDir folder;
  for (const char* name : {"a.avi", "b.avi", "c.avi"})
    fs::create_hard_link(clip, folder / name);

  for (const int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    TempDir logs;
    Child child({mavi::test::program("mavi-check").string(), "--deep", "--deep-time-limit", "600",
                 "--json", folder.path().string()},
                logs.path());
    // Let it get well into the deep check (which takes tens of seconds per file).
    std::this_thread::sleep_for(1500ms);
    REQUIRE(child.running());
    child.signal(sig);
    const int code = child.wait_for(kStopBound);
    CHECK(code == 128 + sig);
    CHECK(fs::file_size(clip) == size);
    CHECK(names_in(folder.path()).size() == 3);  // nothing written next to the inputs
  }
}

TEST_CASE("SIGINT and SIGTERM stop mavi-prepare-and-upload mid-encode: no partial file left") {
  TempDir media;
  const fs::path clip = long_clip(media);
  const auto size = fs::file_size(clip);

  for (const int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    TempDir out;
    TempDir logs;
    Child child({mavi::test::program("mavi-prepare-and-upload").string(), "--no-upload", "-o",
                 out.path().string(), "--quiet", "--threads", "1", clip.string()},
                logs.path());
    // Wait until the encoder writes its temporary output: the work is under way.
    const auto give_up = std::chrono::steady_clock::now() + 120s;
    while (child.running() && names_in(out.path()).empty() &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(50ms);
    }
    REQUIRE(child.running());
    const auto partial = names_in(out.path());
    REQUIRE(partial.size() == 1);
    CHECK(partial[0].find(".partial") != std::string::npos);
    std::this_thread::sleep_for(500ms);
    child.signal(sig);
    const int code = child.wait_for(kStopBound);
    CHECK(code == 128 + sig);
    CHECK(names_in(out.path()).empty());  // the partial output is removed, nothing else left
    CHECK(fs::file_size(clip) == size);
    CHECK(names_in(media.path()).size() == 1);
  }
}

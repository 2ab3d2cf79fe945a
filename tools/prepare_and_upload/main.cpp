// mavi-prepare-and-upload: check each file and upload those MAVI accepts as they are.
// (Preparation of fixable files plugs in here once the preparation engine has landed; until
// then they are reported and skipped.)
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

#include "mavi/check.hpp"
#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "prepare_and_upload/upload_step.hpp"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kExitOk = 0;
constexpr int kExitSomeFailed = 1;
constexpr int kExitUsage = 64;

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_signal(int) {
  g_interrupted = 1;
}

bool is_video_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* known : {".mp4", ".mov", ".mkv", ".avi", ".m4v", ".webm", ".flv", ".wmv", ".mpg",
                            ".mpeg", ".ts", ".3gp", ".ogv"}) {
    if (ext == known)
      return true;
  }
  return false;
}

// Files named explicitly, then video files found in folders (sorted).
std::vector<fs::path> expand(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(
               p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && is_video_extension(it->path()))
          found.push_back(it->path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.emplace_back(p);
    }
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Check videos, prepare what needs it, upload them to MAVI and report its answer.",
               "mavi-prepare-and-upload"};
  std::vector<std::string> paths;
  bool json = false;
  bool dry_run = false;
  mavi::tools::UploadCliOptions upload_cli;
  app.add_option("PATH", paths, "video files or folders")->required();
  app.add_flag("--json", json, "print the report as JSON on stdout");
  app.add_flag("--dry-run", dry_run, "check only: say what would be uploaded");
  mavi::tools::add_upload_options(app, upload_cli);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? kExitOk : kExitUsage;
  }

  const mavi::HttpGlobal http_global;
  std::optional<mavi::Client> client;
  if (!dry_run) {
    try {
      client.emplace(mavi::tools::make_client_config(upload_cli, std::cerr, std::cerr));
    } catch (const mavi::Error& e) {
      std::cerr << "mavi-prepare-and-upload: " << e.what() << '\n';
      return kExitUsage;
    }
  }
  const mavi::UploadOptions upload_options = mavi::tools::make_upload_options(upload_cli);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const bool progress_bar = !json && ::isatty(STDERR_FILENO) != 0;

  Json report;
  report["files"] = Json::array();
  int uploaded = 0, skipped = 0, failed = 0;
  for (const fs::path& path : expand(paths)) {
    Json entry;
    entry["path"] = path.string();
    const mavi::CheckResult checked = mavi::check(path);
    entry["verdict"] = std::string(mavi::to_string(checked.verdict.kind));
    entry["action"] = std::string(mavi::to_string(checked.verdict.action));
    std::string line;
    if (g_interrupted) {
      entry["status"] = "skipped";
      entry["upload"] = nullptr;
      entry["error"] = {{"kind", "cancelled"}, {"message", "interrupted"}};
      ++skipped;
      line = "skipped   interrupted";
    } else if (checked.verdict.kind == mavi::VerdictKind::rejected) {
      entry["status"] = "failed";
      entry["upload"] = nullptr;
      const auto& findings = checked.verdict.findings;
      entry["error"] = {{"kind", "rejected"},
                        {"message", findings.empty() ? "rejected" : findings.front().message}};
      ++failed;
      line = "failed    rejected: " + entry["error"]["message"].get<std::string>();
    } else if (checked.verdict.kind == mavi::VerdictKind::fixable) {
      entry["status"] = "skipped";
      entry["upload"] = nullptr;
      entry["error"] = {{"kind", "fixable"},
                        {"message", "fixable, skipped (preparation not available)"}};
      ++skipped;
      line = "skipped   fixable, skipped (preparation not available)";
    } else if (dry_run) {
      entry["status"] = "skipped";
      entry["upload"] = nullptr;
      entry["error"] = nullptr;
      ++skipped;
      line = "ok        would upload";
    } else {
      mavi::ProgressCallback progress;
      if (progress_bar) {
        progress = mavi::tools::terminal_progress(std::cerr, path.filename().string(),
                                                  [] { return g_interrupted != 0; });
      } else {
        progress = [](const mavi::UploadProgress&) { return g_interrupted == 0; };
      }
      const auto outcome = mavi::tools::upload_file(*client, path, upload_options, progress);
      if (progress_bar)
        std::cerr << "\r\033[K" << std::flush;
      mavi::tools::fill_report_entry(entry, outcome);
      if (outcome.uploaded) {
        ++uploaded;
        line = "uploaded  " + mavi::tools::outcome_line(outcome);
      } else {
        ++failed;
        line = "failed    " + mavi::tools::outcome_line(outcome);
      }
    }
    if (!json)
      std::cout << path.string() << "  " << line << '\n' << std::flush;
    report["files"].push_back(std::move(entry));
  }
  report["summary"] = {{"uploaded", uploaded}, {"skipped", skipped}, {"failed", failed}};
  if (json) {
    std::cout << report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
  } else {
    std::cout << uploaded << " uploaded, " << skipped << " skipped, " << failed << " failed\n";
  }
  return (failed > 0 || skipped > 0) && !dry_run ? kExitSomeFailed : kExitOk;
}

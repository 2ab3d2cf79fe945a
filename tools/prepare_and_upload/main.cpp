// mavi-prepare-and-upload: check each video, remux or re-encode what needs it into a verified
// MP4 (in the output folder, or a private temporary one), upload what MAVI accepts and report
// its answer. Options -> discover -> check -> plan -> prepare -> upload -> print -> exit status.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/output.hpp"
#include "mavi/check.hpp"
#include "mavi/discover.hpp"
#include "mavi/error.hpp"
#include "mavi/log.hpp"
#include "mavi/plan.hpp"
#include "mavi/prepare.hpp"
#include "mavi/upload.hpp"
#include "mavi/version.hpp"
#include "prepare_and_upload/progress_bar.hpp"
#include "prepare_and_upload/upload_step.hpp"

namespace {

namespace fs = std::filesystem;
using mavi::cli::ExitCode;
using mavi::cli::Json;
using mavi::cli::to_int;

struct Options {
  std::vector<std::string> paths;
  std::string output_dir;
  bool no_upload = false;
  bool dry_run = false;
  bool copy_ok = false;
  bool json = false;
  bool quiet = false;
  mavi::PrepareOptions prepare;
  int max_height = 0;  // 0: no limit
  mavi::Rules rules;
  mavi::tools::UploadCliOptions upload;
};

enum class Status { prepared, ok, copied, planned, skipped, failed, uploaded };

std::string_view to_string(Status s) {
  switch (s) {
    case Status::prepared:
      return "prepared";
    case Status::ok:
      return "ok";
    case Status::copied:
      return "copied";
    case Status::planned:
      return "planned";
    case Status::skipped:
      return "skipped";
    case Status::failed:
      return "failed";
    case Status::uploaded:
      return "uploaded";
  }
  return "failed";
}

struct FileReport {
  fs::path path;
  std::optional<mavi::Verdict> verdict;
  mavi::Action action = mavi::Action::none;
  std::optional<fs::path> output;
  Status status = Status::failed;
  std::string error;       // why skipped or failed
  std::string error_kind;  // Errc name when failed
  std::optional<mavi::Plan> plan;
  double elapsed_s = 0;
  double speed = 0;
  std::optional<mavi::UploadResult> upload;  // MAVI's answer, once uploaded
};

// Output names: the input's stem + ".mp4" (or the input's own name for a copy), made unique
// within this run and never the path of any input.
class OutputNames {
 public:
  OutputNames(fs::path dir, const std::vector<fs::path>& inputs) : dir_(std::move(dir)) {
    for (const auto& in : inputs)
      inputs_.push_back(in);
  }
  fs::path take(const fs::path& input, bool keep_extension) {
    const std::string stem = input.stem().string();
    const std::string ext = keep_extension ? input.extension().string() : ".mp4";
    for (int n = 1;; ++n) {
      fs::path candidate = dir_ / (n == 1 ? stem + ext : stem + "-" + std::to_string(n) + ext);
      if (used_.count(candidate.lexically_normal().string()) != 0 || is_an_input(candidate)) {
        continue;
      }
      used_.insert(candidate.lexically_normal().string());
      return candidate;
    }
  }

 private:
  bool is_an_input(const fs::path& candidate) const {
    std::error_code ec;
    if (!fs::exists(candidate, ec))
      return false;
    for (const auto& in : inputs_) {
      if (fs::equivalent(in, candidate, ec))
        return true;
    }
    return false;
  }
  fs::path dir_;
  std::vector<fs::path> inputs_;
  std::set<std::string> used_;
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("PATH", o.paths,
                 "Files or folders to prepare (folders are walked for video extensions)")
      ->required();
  app.add_option("-o,--output-dir", o.output_dir,
                 "Folder for the prepared files (created if missing)");
  app.add_flag("--no-upload", o.no_upload, "Prepare only; do not upload (needs -o DIR)");
  app.add_flag("--dry-run", o.dry_run, "Print what would be done per file; touch nothing");
  app.add_flag("--copy-ok", o.copy_ok,
               "Also copy files that are already acceptable into the output folder");
  app.add_flag("--json", o.json, "Print one JSON report on stdout");
  app.add_flag("-q,--quiet", o.quiet, "No progress bar and no notes on stderr");
  app.add_option("--preset", o.prepare.preset, "libx264 preset for re-encoding")
      ->capture_default_str()
      ->check(CLI::IsMember({"ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                             "slow", "slower", "veryslow", "placebo"}));
  app.add_option("--crf", o.prepare.crf, "libx264 quality (0 best .. 51 worst)")
      ->capture_default_str()
      ->check(CLI::Range(0, 51));
  app.add_option("--max-height", o.max_height,
                 "Downscale taller video to this height, keeping the aspect ratio")
      ->check(CLI::Range(16, 8640));
  app.add_option("--threads", o.prepare.threads, "Codec threads (0: automatic)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  app.add_option("--max-size", o.prepare.max_size_bytes,
                 "Largest acceptable file in bytes; larger results are re-encoded to fit")
      ->capture_default_str()
      ->check(CLI::Range(std::uintmax_t{1'000'000}, std::uintmax_t{1'000'000'000'000}));
  app.add_flag("--strict", o.rules.strict,
               "Also fix what is only a warning: pixel format, odd size, rotation, HDR, "
               "interlacing");
  mavi::tools::add_upload_options(app, o.upload);
}

// Copies an acceptable file into place through a temporary name, like prepare() does.
void copy_into_place(const fs::path& input, const fs::path& output) {
  const fs::path temp = output.parent_path() / ("." + output.filename().string() + ".partial");
  std::error_code ec;
  fs::copy_file(input, temp, fs::copy_options::overwrite_existing, ec);
  if (!ec)
    fs::rename(temp, output, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw mavi::Error(ec == std::errc::no_space_on_device  ? mavi::Errc::disk_full
                      : ec == std::errc::permission_denied ? mavi::Errc::permission_denied
                                                           : mavi::Errc::io,
                      "copying " + input.string() + " to " + output.string() + ": " + ec.message(),
                      ec.value());
  }
}

std::string first_error(const mavi::Verdict& verdict) {
  for (const auto& f : verdict.findings) {
    if (f.severity == mavi::Severity::error && f.fix == mavi::Action::none)
      return f.message;
  }
  for (const auto& f : verdict.findings) {
    if (f.severity == mavi::Severity::error)
      return f.message;
  }
  return "rejected";
}

// Fills `r` as it goes, so a failure still reports the verdict and plan.
void process(FileReport& r, const fs::path& path, OutputNames& names, const Options& o,
             mavi::prepare_tool::ProgressBar& bar) {
  r.path = path;
  const mavi::CheckResult checked = mavi::check(path, {}, o.rules);
  r.verdict = checked.verdict;
  r.action = checked.verdict.action;
  if (checked.verdict.kind == mavi::VerdictKind::rejected || !checked.media) {
    r.status = Status::skipped;
    r.error = first_error(checked.verdict);
    return;
  }
  if (checked.verdict.kind == mavi::VerdictKind::ok) {
    r.status = Status::ok;
    if (o.copy_ok) {
      // An acceptable file keeps its own name and extension.
      const fs::path output = names.take(path, true);
      r.output = output;
      if (!o.dry_run) {
        copy_into_place(path, output);
        r.status = Status::copied;
      }
    }
    return;
  }
  r.plan = mavi::plan(*checked.media, checked.verdict, o.prepare);
  r.action = r.plan->action;
  const fs::path output = names.take(path, false);
  r.output = output;
  if (o.dry_run) {
    r.status = Status::planned;
    return;
  }
  const std::string name = mavi::cli::printable(path.filename().string());
  const mavi::PrepareResult done = mavi::prepare(path, output, *r.plan, o.prepare,
                                                 [&](double done_s, double total_s, double speed) {
                                                   bar.update(name, done_s, total_s, speed);
                                                   return mavi::cli::interrupt_signal() == 0;
                                                 });
  bar.clear();
  r.status = Status::prepared;
  r.elapsed_s = done.elapsed.count();
  r.speed = done.speed;
}

// Uploads the prepared (or copied, or already acceptable) file and records MAVI's answer.
void upload_one(FileReport& r, const mavi::Client& client, const mavi::UploadOptions& options,
                bool show_progress) {
  const fs::path source =
      (r.status == Status::prepared || r.status == Status::copied) && r.output ? *r.output : r.path;
  mavi::UploadOptions named = options;
  // MAVI sees the original name (with .mp4 when the file was re-muxed or re-encoded).
  if (named.filename.empty() && r.status == Status::prepared) {
    named.filename = r.path.stem().string() + ".mp4";
  }
  auto keep_going = [] { return mavi::cli::interrupt_signal() == 0; };
  mavi::ProgressCallback progress =
      show_progress ? mavi::tools::terminal_progress(
                          std::cerr, mavi::cli::printable(r.path.filename().string()), keep_going)
                    : mavi::ProgressCallback(
                          [keep_going](const mavi::UploadProgress&) { return keep_going(); });
  const mavi::tools::UploadOutcome outcome =
      mavi::tools::upload_file(client, source, named, progress);
  if (show_progress)
    std::cerr << "\r\033[K" << std::flush;
  if (outcome.uploaded) {
    r.status = Status::uploaded;
    r.upload = outcome.result;
  } else {
    r.status = Status::failed;
    r.error = outcome.error->what();
    r.error_kind = std::string(mavi::to_string(outcome.error->kind()));
  }
}

Json plan_json(const mavi::Plan& plan) {
  Json j;
  j["action"] = std::string(mavi::to_string(plan.action));
  Json streams = Json::array();
  for (const auto& s : plan.streams) {
    streams.push_back({{"index", s.input_index},
                       {"type", std::string(mavi::to_string(s.type))},
                       {"codec", s.input_codec},
                       {"do", std::string(mavi::to_string(s.action))},
                       {"output_codec", s.output_codec},
                       {"reason", s.reason}});
  }
  j["streams"] = streams;
  if (plan.action == mavi::Action::transcode) {
    const mavi::VideoSteps& v = plan.video;
    j["video"] = {{"rotate_degrees", v.rotate_degrees},
                  {"deinterlace", v.deinterlace},
                  {"tone_map", std::string(mavi::to_string(v.tone_map))},
                  {"crop_to_even", v.crop_to_even},
                  {"scale", v.scale},
                  {"width", v.width},
                  {"height", v.height},
                  {"pixel_format", v.pixel_format}};
    j["video_bit_rate"] = plan.video_bit_rate ? Json(*plan.video_bit_rate) : Json(nullptr);
  }
  j["warnings"] = plan.warnings;
  return j;
}

Json report_json(const FileReport& r) {
  Json j;
  j["path"] = r.path.string();
  j["verdict"] = r.verdict ? Json(std::string(mavi::to_string(r.verdict->kind))) : Json(nullptr);
  j["action"] = std::string(mavi::to_string(r.action));
  j["output"] = r.output ? Json(r.output->string()) : Json(nullptr);
  j["status"] = std::string(to_string(r.status));
  j["upload"] = r.upload ? mavi::tools::upload_json(*r.upload) : Json(nullptr);
  j["error"] = r.error.empty() ? Json(nullptr) : Json(r.error);
  if (!r.error_kind.empty())
    j["error_kind"] = r.error_kind;
  if (r.verdict)
    j["findings"] = r.verdict->findings;
  if (r.plan)
    j["plan"] = plan_json(*r.plan);
  if (r.status == Status::prepared) {
    j["elapsed_seconds"] = r.elapsed_s;
    j["speed"] = r.speed;
  }
  return j;
}

std::string human_line(const FileReport& r) {
  std::string status(to_string(r.status));
  status.resize(std::max<size_t>(status.size(), 9), ' ');
  std::string line = status + " " + mavi::cli::printable(r.path.string());
  if (r.output && r.status != Status::ok) {
    line += " -> " + mavi::cli::printable(r.output->string());
  }
  switch (r.status) {
    case Status::prepared: {
      char extra[96];
      std::snprintf(extra, sizeof extra, "  (%s, %.1f s, %.1fx)",
                    std::string(mavi::to_string(r.action)).c_str(), r.elapsed_s, r.speed);
      line += extra;
      break;
    }
    case Status::ok:
      line += "  (already accepted)";
      break;
    case Status::copied:
      line += "  (already accepted, copied)";
      break;
    case Status::planned:
      line += "  (" + std::string(mavi::to_string(r.action)) + ")";
      break;
    case Status::uploaded: {
      mavi::tools::UploadOutcome outcome;
      outcome.result = r.upload;
      line += "  " + mavi::cli::printable(mavi::tools::outcome_line(outcome));
      break;
    }
    case Status::skipped:
    case Status::failed:
      line += ": " + (r.error_kind.empty() ? std::string() : r.error_kind + ": ") +
              mavi::cli::printable(r.error);
      break;
  }
  return line;
}

std::string indent(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    out += "    " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

int run(int argc, char** argv) {
  CLI::App app{
      "Check videos, remux or re-encode what MAVI would not accept into a verified "
      "MP4, and upload them.\n",
      "mavi-prepare-and-upload"};
  Options o;
  add_options(app, o);
  app.set_version_flag("--version", std::string(mavi::version()));
  app.footer(mavi::cli::exit_codes_help());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : to_int(ExitCode::usage);
  }
  const bool uploading = !o.no_upload && !o.dry_run;
  if (o.output_dir.empty() && o.no_upload && !o.dry_run) {
    std::cerr << "mavi-prepare-and-upload: --no-upload needs -o DIR (where prepared files go)\n";
    return to_int(ExitCode::usage);
  }
  // libcurl's process-wide state, before any thread starts.
  const mavi::HttpGlobal http_global;
  std::optional<mavi::Client> client;
  if (uploading) {
    try {
      client.emplace(mavi::tools::make_client_config(o.upload, std::cerr, std::cerr));
    } catch (const mavi::Error& e) {
      std::cerr << "mavi-prepare-and-upload: " << e.what() << "\n";
      return to_int(ExitCode::usage);
    }
  }
  const mavi::UploadOptions upload_options = mavi::tools::make_upload_options(o.upload);
  // Without -o, prepared files only live until they are uploaded.
  std::optional<fs::path> temp_dir;
  if (uploading && o.output_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "mavi-prepare-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "mavi-prepare-and-upload: cannot create a temporary folder\n";
      return to_int(ExitCode::fixable);
    }
    temp_dir = pattern;
    o.output_dir = pattern;
  }
  if (o.max_height > 0)
    o.prepare.max_height = o.max_height;
  o.prepare.strict = o.rules.strict;
  o.rules.max_size_bytes = o.prepare.max_size_bytes;
  mavi::set_log_level(mavi::LogLevel::quiet);
  mavi::cli::install_interrupt_handlers();

  std::vector<fs::path> paths(o.paths.begin(), o.paths.end());
  const mavi::Discovery found = mavi::discover(paths);
  std::vector<FileReport> reports;
  for (const auto& note : found.notes) {
    if (note.is_error) {
      FileReport r;
      r.path = note.path;
      r.status = Status::failed;
      r.error = note.reason;
      reports.push_back(r);
    } else if (!o.quiet) {
      std::cerr << "note: " << mavi::cli::printable(note.path.string()) << ": " << note.reason
                << "\n";
    }
  }
  const fs::path dir = o.output_dir.empty() ? fs::path(".") : fs::path(o.output_dir);
  if (!o.dry_run) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
      std::cerr << "mavi-prepare-and-upload: cannot use output folder " << dir.string() << ": "
                << (ec ? ec.message() : "not a folder") << "\n";
      return to_int(ExitCode::fixable);
    }
  }
  std::vector<fs::path> inputs;
  for (const auto& f : found.files)
    inputs.push_back(f.path);
  OutputNames names(dir, inputs);

  mavi::prepare_tool::ProgressBar bar(o.quiet);
  for (const auto& file : found.files) {
    if (mavi::cli::interrupt_signal() != 0)
      break;
    FileReport r;
    try {
      process(r, file.path, names, o, bar);
      if (client &&
          (r.status == Status::ok || r.status == Status::copied || r.status == Status::prepared)) {
        upload_one(r, *client, upload_options, bar.enabled());
      }
    } catch (const mavi::Error& e) {
      bar.clear();
      r.status = Status::failed;
      r.error = e.what();
      r.error_kind = std::string(mavi::to_string(e.kind()));
    } catch (const std::exception& e) {
      bar.clear();
      r.status = Status::failed;
      r.error = std::string("internal error: ") + e.what();
      r.error_kind = "internal";
    }
    if (!o.json) {
      std::cout << human_line(r) << "\n";
      if (o.dry_run && r.plan)
        std::cout << indent(mavi::describe(*r.plan));
      std::cout.flush();
    }
    reports.push_back(std::move(r));
  }

  if (temp_dir) {
    std::error_code ignored;
    fs::remove_all(*temp_dir, ignored);
  }
  std::size_t counts[7] = {};
  for (const auto& r : reports)
    ++counts[static_cast<int>(r.status)];
  if (o.json) {
    Json doc;
    doc["tool"] = "mavi-prepare-and-upload";
    doc["version"] = std::string(mavi::version());
    doc["dry_run"] = o.dry_run;
    doc["output_dir"] = temp_dir ? Json(nullptr) : Json(dir.string());
    Json files = Json::array();
    for (const auto& r : reports)
      files.push_back(report_json(r));
    doc["files"] = files;
    doc["summary"] = {{"uploaded", counts[6]}, {"prepared", counts[0]}, {"ok", counts[1]},
                      {"copied", counts[2]},   {"planned", counts[3]},  {"skipped", counts[4]},
                      {"failed", counts[5]}};
    std::cout << mavi::cli::dump(doc) << "\n";
  } else if (!o.quiet) {
    std::cerr << reports.size() << " files: " << counts[6] << " uploaded, " << counts[0]
              << " prepared, " << counts[1] << " ok, " << counts[2] << " copied, " << counts[3]
              << " planned, " << counts[4] << " skipped, " << counts[5] << " failed\n";
  }
  if (const int sig = mavi::cli::interrupt_signal(); sig != 0) {
    std::cout.flush();
    mavi::cli::die_by_signal(sig);
  }
  return counts[4] + counts[5] == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::fixable);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mavi-prepare-and-upload: internal error: " << e.what() << "\n";
    return to_int(ExitCode::internal);
  }
}

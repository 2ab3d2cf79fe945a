// check -> plan -> prepare -> upload with libmavi, for every file named on the command line:
// the example of docs/library.md, built against the installed package by the install test.
// MAVI_API_KEY holds the key; MAVI_BASE_URL (optional) another server, such as mavi-sandbox.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <mavi/check.hpp>
#include <mavi/error.hpp>
#include <mavi/plan.hpp>
#include <mavi/prepare.hpp>
#include <mavi/upload.hpp>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  const mavi::HttpGlobal http;  // libcurl's global state: once, before any thread
  mavi::ClientConfig config;
  if (const char* key = std::getenv("MAVI_API_KEY"))
    config.api_key = key;
  if (const char* url = std::getenv("MAVI_BASE_URL"))
    config.base_url = url;
  if (const char* rate = std::getenv("MAVI_UPLOADS_PER_MINUTE"))
    config.uploads_per_minute = std::atof(rate);
  const mavi::Client client(config);
  const fs::path work = fs::temp_directory_path() / "mavi-example";
  fs::create_directories(work);

  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path input = argv[i];
    try {
      mavi::ProbeOptions probe;
      probe.keep_open = true;  // prepare() continues from the analysed file
      const mavi::CheckResult checked = mavi::check(input, probe, mavi::Rules{});
      if (checked.verdict.kind == mavi::VerdictKind::rejected) {
        std::cout << "rejected " << input.string() << ": "
                  << checked.verdict.findings.front().message << "\n";
        status = 1;
        continue;
      }
      fs::path to_upload = input;
      if (checked.verdict.kind == mavi::VerdictKind::fixable) {
        const mavi::Plan plan = mavi::plan(checked, mavi::PrepareOptions{});
        to_upload = work / mavi::upload_name(input, true);
        mavi::prepare(checked, to_upload, plan);  // verified against the check's rules
      }
      mavi::UploadOptions upload;
      upload.filename = mavi::upload_name(input, to_upload != input);
      const mavi::UploadResult result = client.upload(to_upload, upload);
      if (to_upload != input)
        fs::remove(to_upload);
      std::cout << "uploaded " << input.string() << " " << result.video.video_no << "\n";
    } catch (const mavi::Error& e) {  // the kind says what to do: is_retryable(e.kind())...
      std::cout << "failed " << input.string() << ": " << mavi::to_string(e.kind()) << ": "
                << e.what() << "\n";
      status = 1;
    }
  }
  return status;
}

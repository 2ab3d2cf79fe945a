// The retry loop of one upload, whatever it sends (a file, a signed-URL upload, a URL for MAVI
// to fetch): pacing, backoff, rate limiting, and the look-up-before-resend rule around single
// attempts (upload/attempt.hpp, upload/lookup.hpp). The client builds the attempts; this
// decides when to send one again, when to look for an earlier one, and when to give up.
//
// Private to libmavi.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "mavi/upload.hpp"
#include "upload/api_generation.hpp"
#include "upload/attempt.hpp"
#include "upload/pacing.hpp"
#include "upload/retry.hpp"

namespace mavi::detail {

// What the loop shares with every other request of the client.
struct UploadLoopSetup {
  const ApiModule* api = nullptr;  // its name and listing, for the resend rule's messages
  RetryPolicy retry;
  Pacer* upload_pacer = nullptr;  // the uploads' shared pace
  double upload_ceiling = 0;      // per minute; 0: none
  Pacer* list_pacer = nullptr;    // slowed when a look-up is rate limited
  double list_ceiling = 0;
  std::chrono::seconds clock_skew_allowance{120};
  LogFn log;
  // One look-up of the upload (no retries): the most recent one `identity` recognises within
  // `window`.
  std::function<std::optional<VideoRecord>(const UploadIdentity& identity,
                                           const TimeWindow& window)>
      find;
};

// What differs between an upload of a file and one by URL.
struct UploadRun {
  std::string name;  // the name MAVI lists the video under (looked up after a lost answer)
  std::string what;  // for messages: never a query string
  std::function<AttemptResult(int attempt)> send;
  std::function<UploadIdentity()> identity;  // what a look-up recognises the upload by, now
};

// Sends `run` until MAVI answers, a look-up finds that an earlier attempt arrived, or the
// retries are spent. Throws the most specific mavi::Error; Errc::cancelled when `progress`
// stops a wait.
UploadResult run_upload(const UploadLoopSetup& setup, const UploadRun& run,
                        const ProgressCallback& progress);

}  // namespace mavi::detail

// One upload attempt: send the request once and classify what came back (a result, or an
// error that is_retryable() sorts into retryable or final), with what the retry rules need
// to know: whether the whole body went out and how long the server asks to wait.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/transfer.hpp"
#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "upload/api_generation.hpp"
#include "upload/retry.hpp"

namespace mavi::detail {

// What stays the same over the attempts of one upload.
struct AttemptSetup {
  const ApiModule* module = nullptr;       // reads the answer
  const http::Request* request = nullptr;  // complete, file part included
  http::Settings settings;
  std::string what;  // "upload of FILE to URL", without the query string
  std::string secret;
  LogFn log;
};

struct AttemptResult {
  std::optional<ParsedAnswer> answer;  // set on success
  std::optional<Error> error;          // set otherwise
  long http_status = 0;                // 0 when no answer came
  std::uint64_t bytes_sent = 0;
  // The server got the whole body, so it may have stored the video although the attempt failed.
  bool whole_body_sent = false;
  std::chrono::seconds retry_after{0};  // the server's Retry-After, 0 when none
};

// The mavi::Error for a response whose transport failed (r.transport_ok is false): the
// curl failure, or bad_response for an answer over the size limit.
Error transport_failure(const http::Response& r, const std::string& what);

// The caller's progress callback, throttled: it may redraw a terminal. The last report (the
// whole body sent) always goes through.
http::ProgressFn throttled(const ProgressCallback& progress, int attempt);

// Sends the request once; `progress` sees this attempt's bytes, at most ten times a second.
// Throws mavi::Error(Errc::cancelled) when the progress callback cancels, and rethrows what
// the callback throws; every other failure is returned in AttemptResult::error.
AttemptResult send_attempt(const AttemptSetup& setup, int attempt,
                           const ProgressCallback& progress);

}  // namespace mavi::detail

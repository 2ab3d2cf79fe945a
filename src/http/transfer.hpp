// One HTTP exchange with libcurl: a move-only Transfer owns the easy handle and everything
// curl reads while it runs (MIME parts, header list, error buffer, response buffer), the way
// cpr's CurlHolder does. Private to libmavi; no curl type leaks out of this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mavi/error.hpp"

namespace mavi::detail::http {

struct FilePart {
  std::string name;  // form field name ("file")
  std::filesystem::path path;
  std::string filename;
  std::string content_type;
};

struct FormField {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";        // GET, POST or DELETE
  std::string url;                   // complete, query string already escaped
  std::vector<std::string> headers;  // "Name: value"; Authorization is redacted in logs
  std::optional<FilePart> file;      // multipart/form-data when set (with `fields`)
  std::vector<FormField> fields;
  // POST (or DELETE) without a file: application/json with this body, or (POST) with `fields`
  // a url-encoded form.
  std::string json_body;
};

struct Settings {
  std::chrono::seconds connect_timeout{30};
  long low_speed_limit = 1;
  std::chrono::seconds low_speed_time{120};
  std::optional<std::chrono::seconds> total_timeout;
  // The whole answer must arrive within this long once the request body is sent (from the
  // start for requests without a body): a server dripping bytes beats the low-speed limit.
  std::optional<std::chrono::seconds> answer_timeout;
  std::filesystem::path cacert;
  std::size_t max_response_bytes = 1 << 20;
  std::function<void(std::string_view)> log;  // verbose sink; empty: silent
  std::string secret;                         // redacted from every logged line
  std::string extra_secret;                   // also redacted (the query of a signed URL, say)
};

struct Response {
  // Transport outcome: ok, or the kind and text of a curl failure.
  bool transport_ok = true;
  Errc transport_kind = Errc::internal;
  int curl_code = 0;
  std::string transport_error;  // curl's error buffer or strerror text
  bool cancelled = false;       // the progress callback asked to stop
  bool body_too_large = false;
  bool answer_too_slow = false;  // answer_timeout expired (transport_kind is timeout)

  long http_status = 0;
  std::string body;
  std::optional<std::chrono::seconds> retry_after;
  std::string redirect_url;
  std::uint64_t bytes_sent = 0;    // request body bytes handed to the network
  std::uint64_t upload_total = 0;  // request body size, 0 when unknown
};

// Called from curl's progress callback; return false to cancel. May throw: the exception is
// stored, the transfer aborted, and perform() rethrows it.
using ProgressFn = std::function<bool(std::uint64_t sent, std::uint64_t total, double rate)>;

class Transfer {
 public:
  Transfer(const Request& request, const Settings& settings, ProgressFn progress = {});
  ~Transfer();
  Transfer(Transfer&&) noexcept;
  Transfer& operator=(Transfer&&) noexcept;

  Response perform();

 private:
  struct State;
  std::unique_ptr<State> state_;  // heap-allocated: curl keeps pointers into it
};

// Removes every occurrence of `secret` (when non-empty) and the value of any
// "Authorization:" header from `text`.
std::string redact(std::string text, std::string_view secret);

}  // namespace mavi::detail::http

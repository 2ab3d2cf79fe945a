#include "upload/answers.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <initializer_list>

#include "http/transfer.hpp"

namespace mavi::detail {

namespace {

using nlohmann::json;

// MAVI documents every code as a 4-digit string; some servers send integers.
std::string code_of(const json& doc) {
  if (!doc.is_object())
    return {};
  auto it = doc.find("code");
  if (it == doc.end())
    return {};
  // v2's pages give success as the integer 200 and as "0000": both are "0000" here.
  if (it->is_string())
    return it->get<std::string>() == "200" ? "0000" : it->get<std::string>();
  if (it->is_number_integer()) {
    if (it->get<long long>() == 200)
      return "0000";
    std::string digits = std::to_string(it->get<long long>());
    if (digits.size() < 4)
      digits.insert(0, 4 - digits.size(), '0');
    return digits;
  }
  return {};
}

std::string msg_of(const json& doc) {
  if (!doc.is_object())
    return {};
  auto it = doc.find("msg");
  if (it != doc.end() && it->is_string())
    return it->get<std::string>();
  return {};
}

// Every data field is documented as a string; accept numbers too, and both spellings
// (classic camelCase, v1 snake_case).
std::string text_field(const json& object, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null())
      continue;
    if (it->is_string())
      return it->get<std::string>();
    if (it->is_number() || it->is_boolean())
      return it->dump();
  }
  return {};
}

VideoRecord record_of(const json& object) {
  VideoRecord r;
  r.video_no = text_field(object, {"videoNo", "video_no"});
  r.video_name = text_field(object, {"videoName", "video_name"});
  r.video_status = text_field(object, {"videoStatus", "status", "video_status"});
  r.upload_time = text_field(object, {"uploadTime", "create_time", "upload_time"});
  r.duration = text_field(object, {"duration"});
  r.size = text_field(object, {"size", "file_size", "fileSize"});
  r.cause = text_field(object, {"cause", "fail_reason", "failReason"});
  // MAVI's list_videos example sends the string "null" where there is no cause.
  if (r.cause == "null")
    r.cause.clear();
  return r;
}

[[noreturn]] void fail(Errc kind, long http_status, const std::string& what, std::string detail) {
  throw Error(kind, what + ": " + std::move(detail), static_cast<int>(http_status));
}

// Parses the body and throws for anything that is not a "0000" answer.
json parse_checked(long http_status, std::string_view body, const std::string& what,
                   std::string_view secret) {
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  const bool is_json = !doc.is_discarded() && doc.is_object();
  const std::string code = is_json ? code_of(doc) : std::string();
  const bool http_ok = http_status >= 200 && http_status < 300;
  if (http_ok && is_json && code == "0000")
    return doc;

  std::string detail = "HTTP " + std::to_string(http_status);
  // The code is the server's text like any other: it may echo the key or be huge.
  if (!code.empty())
    detail += ", MAVI code " + excerpt(code, secret, 16);
  if (is_json) {
    const std::string msg = detail::http::redact(msg_of(doc), secret);
    if (!msg.empty())
      detail += ": " + excerpt(msg, secret);
  }
  if (http_status >= 300 && http_status < 400) {
    fail(Errc::http, http_status, what, detail + " (redirects are not followed)");
  }
  if (!is_json || (http_ok && code.empty())) {
    const Errc kind = http_ok ? Errc::bad_response : error_kind(http_status, code);
    fail(kind, http_status, what,
         detail + (kind == Errc::bad_response ? ", not a MAVI answer: " : ", body: ") +
             (body.empty() ? std::string("(empty)") : "'" + excerpt(body, secret) + "'"));
  }
  // v2 answers rate limiting with HTTP 400 and only these words (no code of its own).
  const bool limit_words = is_json && msg_of(doc).find("exceeded the limit") != std::string::npos;
  fail(limit_words ? Errc::rate_limited : error_kind(http_status, code), http_status, what, detail);
}

}  // namespace

Errc error_kind(long http_status, std::string_view code) {
  if (http_status == 401 || code == "0401")
    return Errc::bad_auth;
  if (http_status == 429 || code == "0429")
    return Errc::rate_limited;
  if (code == "0402")
    return Errc::no_credits;
  if (code == "0403")
    return Errc::account_disabled;
  if (code == "0409")
    return Errc::duplicate;
  if (code == "9009")
    return Errc::permission;
  // 0001 is documented as "parameters incorrect", yet MAVI's own examples retry it as a
  // passing hiccup: it is retried like a 5xx (docs/upload.md, "Codes"), unless an HTTP 4xx says
  // the request itself is refused.
  if (code == "0001")
    return http_status >= 400 && http_status < 500 ? Errc::bad_request : Errc::server_error;
  if (code == "0003")
    return Errc::bad_request;
  // 0500 and the other 05xx: MAVI's own server errors, whatever the HTTP status carrying them.
  if (code.size() == 4 && code.substr(0, 2) == "05")
    return Errc::server_error;
  if (http_status >= 500)
    return Errc::server_error;
  if (http_status >= 400)
    return Errc::bad_request;
  return Errc::http;
}

std::string excerpt(std::string_view body, std::string_view secret, std::size_t max_chars) {
  std::string text =
      detail::http::redact(std::string(body.substr(0, max_chars + secret.size())), secret);
  const bool cut = text.size() > max_chars || body.size() > max_chars + secret.size();
  if (text.size() > max_chars)
    text.resize(max_chars);
  for (char& c : text) {
    if (!std::isprint(static_cast<unsigned char>(c)))
      c = '?';
  }
  // "Bearer <token>" anywhere in a body is somebody's credential.
  for (std::size_t pos = text.find("Bearer "); pos != std::string::npos;
       pos = text.find("Bearer ", pos + 7)) {
    std::size_t end = pos + 7;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
           text[end] != '"' && text[end] != ',') {
      ++end;
    }
    text.replace(pos + 7, end - pos - 7, "<redacted>");
  }
  if (cut)
    text += "...";
  return text;
}

ParsedAnswer parse_upload_answer(long http_status, std::string_view body, const std::string& what,
                                 std::string_view secret) {
  json doc = parse_checked(http_status, body, what, secret);
  ParsedAnswer answer;
  answer.code = code_of(doc);
  answer.msg = detail::http::redact(msg_of(doc), secret);
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) {
    fail(Errc::bad_response, http_status, what,
         "answer has no data object: '" + excerpt(body, secret) + "'");
  }
  answer.video = record_of(*data);
  if (answer.video.video_no.empty()) {
    fail(Errc::bad_response, http_status, what,
         "answer has no data.videoNo: '" + excerpt(body, secret) + "'");
  }
  return answer;
}

ParsedAnswer parse_plain_answer(long http_status, std::string_view body, const std::string& what,
                                std::string_view secret) {
  const json doc = parse_checked(http_status, body, what, secret);
  ParsedAnswer answer;
  answer.code = code_of(doc);
  answer.msg = detail::http::redact(msg_of(doc), secret);
  return answer;
}

VideoPage parse_video_list(long http_status, std::string_view body, const std::string& what,
                           std::string_view secret) {
  json doc = parse_checked(http_status, body, what, secret);
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) {
    fail(Errc::bad_response, http_status, what,
         "answer has no data object: '" + excerpt(body, secret) + "'");
  }
  const json* list = nullptr;
  for (const char* name : {"videoData", "videos", "list"}) {
    auto it = data->find(name);
    if (it != data->end() && it->is_array()) {
      list = &*it;
      break;
    }
  }
  VideoPage page;
  if (list == nullptr) {
    // An empty result may come without the array at all.
    return page;
  }
  for (const auto& item : *list) {
    if (item.is_object())
      page.videos.push_back(record_of(item));
  }
  // A total that is not a number MAVI could mean (negative, huge, 1e9) is not given.
  const std::string total = text_field(*data, {"total", "total_count", "totalCount"});
  long long value = 0;
  const auto [end, ec] = std::from_chars(total.data(), total.data() + total.size(), value);
  if (ec == std::errc() && end == total.data() + total.size() && value >= 0)
    page.total = value;
  return page;
}

std::optional<VideoRecord> parse_metadata(long http_status, std::string_view body,
                                          const std::string& what, std::string_view secret) {
  if (http_status == 404)
    return std::nullopt;
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (http_status >= 200 && http_status < 300 && doc.is_object()) {
    auto data = doc.find("data");
    const bool no_data = data == doc.end() || data->is_null();
    const std::string code = code_of(doc);
    // An unknown video: a non-success code without data that is not one of the codes that
    // say something about the request itself (auth, credits, rate).
    if (no_data && code != "0000" && !is_retryable(error_kind(http_status, code)) &&
        error_kind(http_status, code) == Errc::http) {
      return std::nullopt;
    }
    if (no_data && code == "0000")
      return std::nullopt;
  }
  doc = parse_checked(http_status, body, what, secret);
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) {
    fail(Errc::bad_response, http_status, what,
         "answer has no data object: '" + excerpt(body, secret) + "'");
  }
  VideoRecord record = record_of(*data);
  if (record.video_no.empty())
    return std::nullopt;
  return record;
}

// v2 (Visual Intelligence assets) --------------------------------------------------------

ParsedAnswer parse_asset_upload(long http_status, std::string_view body, const std::string& what,
                                std::string_view secret) {
  json doc = parse_checked(http_status, body, what, secret);
  ParsedAnswer answer;
  answer.code = "0000";
  answer.msg = detail::http::redact(msg_of(doc), secret);
  auto data = doc.find("data");
  const std::string asset_id =
      data != doc.end() && data->is_object() ? text_field(*data, {"asset_id"}) : std::string();
  if (asset_id.empty()) {
    fail(Errc::bad_response, http_status, what,
         "answer has no data.asset_id: '" + excerpt(body, secret) + "'");
  }
  answer.video.video_no = asset_id;
  answer.video.asset_id = asset_id;
  return answer;
}

SignedUpload parse_signed_url(long http_status, std::string_view body, const std::string& what,
                              std::string_view secret) {
  json doc = parse_checked(http_status, body, what, secret);
  auto data = doc.find("data");
  SignedUpload signed_upload;
  if (data != doc.end() && data->is_object()) {
    signed_upload.asset_id = text_field(*data, {"asset_id"});
    signed_upload.url = text_field(*data, {"signed_url"});
    long long seconds = 0;
    const std::string expires = text_field(*data, {"expires_in"});
    const auto [end, ec] =
        std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
    if (ec == std::errc() && end == expires.data() + expires.size() && seconds > 0)
      signed_upload.expires_in = std::chrono::seconds(seconds);
  }
  // The URL itself is never quoted: it is a credential for the storage.
  if (signed_upload.asset_id.empty() || signed_upload.url.empty()) {
    fail(Errc::bad_response, http_status, what, "answer has no data.asset_id and data.signed_url");
  }
  if (signed_upload.url.rfind("https://", 0) != 0 && signed_upload.url.rfind("http://", 0) != 0) {
    fail(Errc::bad_response, http_status, what, "data.signed_url is not an http(s) URL");
  }
  return signed_upload;
}

std::optional<VideoRecord> parse_asset_metadata(long http_status, std::string_view body,
                                                const std::string& what, std::string_view secret) {
  if (http_status == 404)
    return std::nullopt;
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  // An unknown asset: the pages do not say how it is answered. A non-success code without
  // data that says nothing about the request itself (auth, credits, rate) means "not known".
  if (http_status >= 200 && http_status < 300 && doc.is_object()) {
    auto data = doc.find("data");
    const std::string code = code_of(doc);
    const bool no_data = data == doc.end() || data->is_null();
    if (no_data && code != "0000" && error_kind(http_status, code) == Errc::http &&
        msg_of(doc).find("exceeded the limit") == std::string::npos)
      return std::nullopt;
  }
  doc = parse_checked(http_status, body, what, secret);
  auto data = doc.find("data");
  if (data == doc.end() || data->is_null())
    return std::nullopt;
  if (!data->is_object()) {
    fail(Errc::bad_response, http_status, what,
         "answer has no data object: '" + excerpt(body, secret) + "'");
  }
  auto resource = data->find("resource");
  const json* item = &*data;  // a server might give the record itself
  if (resource != data->end()) {
    if (!resource->is_array() || resource->empty() || !resource->front().is_object())
      return std::nullopt;
    item = &resource->front();
  }
  VideoRecord record;
  record.asset_id = text_field(*item, {"asset_id"});
  record.video_no = record.asset_id;
  record.video_name = text_field(*item, {"original_filename"});
  record.video_status = text_field(*item, {"upload_status", "status"});
  record.upload_time = text_field(*item, {"create_time"});
  record.size = text_field(*item, {"file_size", "size"});
  record.duration = text_field(*item, {"duration"});
  record.cause = text_field(*item, {"cause", "fail_reason"});
  if (record.cause == "null")
    record.cause.clear();
  if (record.asset_id.empty())
    return std::nullopt;
  return record;
}

}  // namespace mavi::detail

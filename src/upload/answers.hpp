// MAVI's answers: turning a response (status, body) into a VideoRecord or the most specific
// mavi::Error. Private to libmavi; no I/O, so it is unit-testable.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"

namespace mavi::detail {

// The kind of error for an answer that is not a success: HTTP status first where it is
// decisive (401, 429, 5xx), then MAVI's business code, then the remaining HTTP class.
Errc error_kind(long http_status, std::string_view code);

// A short printable excerpt of a body, with `secret` (and Authorization-like values) redacted.
std::string excerpt(std::string_view body, std::string_view secret, std::size_t max_chars = 200);

struct ParsedAnswer {
  std::string code;  // "0000" on success; integers are turned into their 4-digit form
  std::string msg;
  VideoRecord video;
};

// Parses an upload answer. Throws mavi::Error (kind from error_kind, bad_response for bodies
// that do not follow the contract) with `what` (operation and URL) in the message.
ParsedAnswer parse_upload_answer(long http_status, std::string_view body, const std::string& what,
                                 std::string_view secret);

// An answer that carries no data of interest (delete): its code and message on success;
// throws like parse_upload_answer otherwise.
ParsedAnswer parse_plain_answer(long http_status, std::string_view body, const std::string& what,
                                std::string_view secret);

struct VideoPage {
  std::vector<VideoRecord> videos;
  long long total = -1;  // -1 when the answer does not say
};

// searchDB (data.videoData) or v1 list_videos (data.videos, snake_case fields) answers.
VideoPage parse_video_list(long http_status, std::string_view body, const std::string& what,
                           std::string_view secret);

// v1 get_metadata: nothing when MAVI does not know the video.
std::optional<VideoRecord> parse_metadata(long http_status, std::string_view body,
                                          const std::string& what, std::string_view secret);

// v2 POST /upload: data.asset_id (as video_no and asset_id).
ParsedAnswer parse_asset_upload(long http_status, std::string_view body, const std::string& what,
                                std::string_view secret);

// A signed URL MAVI handed out for one upload (v2), and the asset it fills.
struct SignedUpload {
  std::string asset_id;
  std::string url;  // a credential in its own right: never in a message or a log line
  std::chrono::seconds expires_in{0};  // 0: the answer did not say
};

// v2 POST /upload/signed-url: data.asset_id, data.signed_url, data.expires_in.
SignedUpload parse_signed_url(long http_status, std::string_view body, const std::string& what,
                              std::string_view secret);

// v2 GET /{asset_id}/metadata: data.resource[0] (upload_status, file_size, create_time as
// strings); nothing when MAVI does not know the asset.
std::optional<VideoRecord> parse_asset_metadata(long http_status, std::string_view body,
                                                const std::string& what, std::string_view secret);

}  // namespace mavi::detail

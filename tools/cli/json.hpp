// JSON for libmavi's types (nlohmann/json, kept out of the public headers): the one place
// that says how a MediaInfo, a verdict, a plan or MAVI's answer looks in any program's output.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "mavi/check.hpp"
#include "mavi/discover.hpp"
#include "mavi/media_info.hpp"
#include "mavi/plan.hpp"
#include "mavi/rules.hpp"
#include "mavi/upload.hpp"

namespace mavi::cli {
// Objects keep their keys in insertion order, so documents read top-down ("path" first).
using Json = nlohmann::ordered_json;
}  // namespace mavi::cli

// to_json overloads live in namespace mavi so nlohmann/json finds them by ADL.
namespace mavi {

void to_json(cli::Json& j, const VideoInfo& video);
void to_json(cli::Json& j, const AudioInfo& audio);
void to_json(cli::Json& j, const StreamInfo& stream);
void to_json(cli::Json& j, const DeepCheck& deep);
void to_json(cli::Json& j, const MediaInfo& info);
void to_json(cli::Json& j, const Finding& finding);
void to_json(cli::Json& j, const Rules& rules);
void to_json(cli::Json& j, const DiscoverNote& note);
// {"path","verdict","action","findings","elapsed_seconds"} plus "media" when it probed.
void to_json(cli::Json& j, const CheckResult& result);
// MAVI's fields as MAVI names them: videoNo, videoName, videoStatus, uploadTime, duration.
void to_json(cli::Json& j, const VideoRecord& video);
// The video's fields plus http_status, code, attempts, elapsed_seconds, bytes_sent and
// recovered_by_lookup.
void to_json(cli::Json& j, const UploadResult& result);
// {"action","streams":[...],"video":{...},"video_bit_rate","warnings"}.
void to_json(cli::Json& j, const Plan& plan);

}  // namespace mavi

namespace mavi::cli {

// Serialises for printing. Invalid UTF-8 (file names are bytes) is replaced, never thrown on.
std::string dump(const Json& j);
// The same on one line (JSON Lines).
std::string dump_line(const Json& j);

// A time as milliseconds since the Unix epoch: the "*_ms" fields of every document.
long long epoch_ms(std::chrono::system_clock::time_point t);

// A rational as FFmpeg prints it ("30000/1001", "16:9"); null when unknown.
Json rational_json(const Rational& r, char separator);

}  // namespace mavi::cli

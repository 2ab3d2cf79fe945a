// evaluate(): decide, without any I/O, whether MAVI accepts a probed file as it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mavi/error.hpp"
#include "mavi/media_info.hpp"

namespace mavi {

// What would make a file acceptable. Ordered: a transcode also does what a remux does.
enum class Action { none, remux, transcode };

enum class Severity { warning, error };

enum class VerdictKind { ok, fixable, rejected };

struct Finding {
  std::string code;  // stable machine code: "video_codec_not_accepted", "no_audio_track", ...
  Severity severity = Severity::warning;
  std::string message;        // for a person: what is wrong and what it means
  Action fix = Action::none;  // for errors: the action that fixes it (none: nothing can)
};

struct Verdict {
  VerdictKind kind = VerdictKind::ok;
  Action action = Action::none;  // the least action that fixes every fixable error
  std::vector<Finding> findings;

  bool has(std::string_view code) const noexcept;
};

// MAVI's documented requirements plus the heuristics worth a warning. Defaults are MAVI's
// classic upload API (rules_for() gives another generation's).
struct Rules {
  // Which generation's documented requirements these are: "classic", "v1" or "v2".
  std::string rule_set = "classic";
  std::vector<std::string> accepted_video_codecs{"h264", "hevc", "vp9"};
  // Audio codecs MAVI transcribes reliably; preparation copies these into the MP4 as they are
  // and encodes any other to AAC.
  std::vector<std::string> accepted_audio_codecs{"aac", "mp3"};
  // FFmpeg demuxer names (any name in MediaInfo::format_name counts).
  std::vector<std::string> accepted_containers{"mov", "mp4", "matroska", "avi"};
  // Lower-case, with the dot. MAVI's upload accepts these extensions only.
  std::vector<std::string> accepted_extensions{".mp4", ".mov", ".mkv", ".avi"};
  std::uintmax_t max_size_bytes = 3'000'000'000;  // "up to 3 GB": decimal, to stay on the safe side
  bool require_audio = false;                     // no audio: an error instead of a warning
  bool strict = false;               // warnings that preparation can fix become fixable errors
  Seconds min_duration{0.5};         // shorter: warning
  Seconds max_duration{4 * 3600.0};  // longer: warning
  int max_dimension = 8192;          // wider or taller: warning (and error above 16384: unreadable)
  double max_frame_rate = 240;       // faster: warning
};

// The documented requirements of an API generation ("classic", "v1", "v2"): classic and v1
// take .mp4 .mov .mkv .avi; v2 also WebM, FLV, WMV and MPEG. Every generation takes H.264,
// HEVC and VP9 (v2's pages name containers, not codecs: the codecs stay the ones MAVI
// documents). Throws Error(Errc::invalid_argument) for another name.
Rules rules_for(std::string_view generation);
// The same requirements on `rules`, keeping its other settings (size, strictness, audio).
void apply_rule_set(Rules& rules, std::string_view generation);

// Decision for a file that probed. No I/O.
Verdict evaluate(const MediaInfo& info, const Rules& rules = {});

// Decision for a file that could not be probed: maps the error kind (empty_file, not_media,
// unreadable, not_found, permission_denied, io) to a rejected verdict with one finding.
Verdict evaluate_failure(const Error& error);

std::string_view to_string(Action action) noexcept;
std::string_view to_string(Severity severity) noexcept;
std::string_view to_string(VerdictKind kind) noexcept;
// The inverses of to_string; nothing for any other text.
std::optional<Action> action_from_string(std::string_view text) noexcept;
std::optional<VerdictKind> verdict_kind_from_string(std::string_view text) noexcept;

}  // namespace mavi

// Conventions every program's command line follows (CLI11), applied in one place:
// - an option that takes values takes one value per occurrence (`--tag a b.mkv`: b.mkv is a
//   PATH), and a repeated single-value option takes the last value, as curl, ffmpeg and rsync
//   do (wrapper scripts append overrides);
// - sizes: a number of bytes with an optional suffix, k/M/G/T powers of 1000 (as MAVI's "3 GB")
//   and KiB/MiB/GiB/TiB powers of 1024, fractions allowed ("1.5G");
// - durations: a number with an optional unit ms, s, m, h ("500ms", "30s", "2m"); a bare
//   number is seconds;
// - a value out of range is refused with the range in words, never clamped;
// - every message starts with the program's name.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mavi/upload.hpp"

namespace mavi::cli {

// Bytes for "3G", "500M", "2GiB", "1.5G", "1000"; nothing for anything else (negative,
// unknown suffix, overflow).
std::optional<std::uintmax_t> parse_size(std::string_view text);
// Seconds for "30s", "2m", "500ms", "1.5h", "90"; nothing for anything else or a negative.
std::optional<double> parse_duration(std::string_view text);

// "3 GB" / "1.5 GiB"-like words for a byte count, for messages ("1 MB", "1 TB").
std::string size_words(std::uintmax_t bytes);
// "30 s", "2 min", "7 days"-like words for a duration in seconds.
std::string duration_words(double seconds);

// A size option bound to `bytes`, refusing values outside [min_bytes, max_bytes].
CLI::Option* add_size_option(CLI::App& app, const std::string& name, std::uintmax_t& bytes,
                             const std::string& description, std::uintmax_t min_bytes,
                             std::uintmax_t max_bytes);
// A duration option bound to `seconds`, refusing values outside [min_seconds, max_seconds].
CLI::Option* add_duration_option(CLI::App& app, const std::string& name, double& seconds,
                                 const std::string& description, double min_seconds,
                                 double max_seconds);

// --api GENERATION bound to `name`, its choices the generations libmavi speaks
// (mavi::api_generations()), each described in the help by `describe`: "LEAD: classic (...),
// v1 (...) or v2 (...)".
CLI::Option* add_api_option(CLI::App& app, std::string& name, const std::string& lead,
                            const std::function<std::string(const ApiGenerationInfo&)>& describe);

// After every option is added: one value per occurrence, the last of repeated scalars wins.
void apply_conventions(CLI::App& app);

// Parses the command line. Help and --version go to stdout (0); errors are printed as
// "PROGRAM: message" with a pointer to --help. Returns the exit status to end with, or
// nothing when the program goes on.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace mavi::cli

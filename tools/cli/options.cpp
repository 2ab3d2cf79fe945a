#include "cli/options.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/exit_codes.hpp"

namespace mavi::cli {

namespace {

// The number at the start of `text` and what follows it; nothing when there is no number.
std::optional<std::pair<double, std::string_view>> split_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  while (!unit.empty() && unit.front() == ' ')
    unit.remove_prefix(1);
  return std::pair{value, unit};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string trim_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

}  // namespace

std::optional<std::uintmax_t> parse_size(std::string_view text) {
  const auto parsed = split_number(text);
  if (!parsed)
    return std::nullopt;
  const auto [value, unit] = *parsed;
  struct Unit {
    std::string_view name;
    double factor;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1e3},
      {"kb", 1e3},
      {"m", 1e6},
      {"mb", 1e6},
      {"g", 1e9},
      {"gb", 1e9},
      {"t", 1e12},
      {"tb", 1e12},
      {"kib", 1024.0},
      {"mib", 1048576.0},
      {"gib", 1073741824.0},
      {"tib", 1099511627776.0},
  };
  for (const Unit& u : kUnits) {
    if (!iequals(unit, u.name))
      continue;
    const double bytes = std::round(value * u.factor);
    if (bytes > 1.8e19)  // beyond uintmax_t
      return std::nullopt;
    return static_cast<std::uintmax_t>(bytes);
  }
  return std::nullopt;
}

std::optional<double> parse_duration(std::string_view text) {
  const auto parsed = split_number(text);
  if (!parsed)
    return std::nullopt;
  const auto [value, unit] = *parsed;
  if (unit.empty() || iequals(unit, "s"))
    return value;
  if (iequals(unit, "ms"))
    return value / 1000.0;
  if (iequals(unit, "m") || iequals(unit, "min"))
    return value * 60.0;
  if (iequals(unit, "h"))
    return value * 3600.0;
  if (iequals(unit, "d"))
    return value * 86400.0;
  return std::nullopt;
}

std::string size_words(std::uintmax_t bytes) {
  struct Unit {
    double factor;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}};
  for (const Unit& u : kUnits) {
    if (static_cast<double>(bytes) >= u.factor)
      return trim_number(static_cast<double>(bytes) / u.factor) + " " + u.name;
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

std::string duration_words(double seconds) {
  if (seconds >= 86400)
    return trim_number(seconds / 86400) + (seconds == 86400 ? " day" : " days");
  if (seconds >= 3600)
    return trim_number(seconds / 3600) + " h";
  if (seconds >= 60)
    return trim_number(seconds / 60) + " min";
  if (seconds >= 1)
    return trim_number(seconds) + " s";
  return trim_number(seconds * 1000) + " ms";
}

CLI::Option* add_api_option(CLI::App& app, std::string& name, const std::string& lead,
                            const std::function<std::string(const ApiGenerationInfo&)>& describe) {
  std::vector<std::string> names;
  std::string help = lead + ": ";
  const std::vector<ApiGenerationInfo> generations = api_generations();
  for (std::size_t i = 0; i < generations.size(); ++i) {
    names.push_back(generations[i].name);
    help += (i == 0                        ? ""
             : i + 1 == generations.size() ? " or "
                                           : ", ") +
            generations[i].name + " " + describe(generations[i]);
  }
  return app.add_option("--api", name, help)->check(CLI::IsMember(names))->capture_default_str();
}

CLI::Option* add_size_option(CLI::App& app, const std::string& name, std::uintmax_t& bytes,
                             const std::string& description, std::uintmax_t min_bytes,
                             std::uintmax_t max_bytes) {
  return app
      .add_option_function<std::string>(
          name,
          [&bytes, name, min_bytes, max_bytes](const std::string& text) {
            const auto value = parse_size(text);
            if (!value) {
              throw CLI::ValidationError(name, "'" + text +
                                                   "' is not a size (a number of bytes, with k, "
                                                   "M, G, T or KiB, MiB, GiB, TiB)");
            }
            if (*value < min_bytes || *value > max_bytes) {
              throw CLI::ValidationError(name, "'" + text + "' is outside " +
                                                   size_words(min_bytes) + " .. " +
                                                   size_words(max_bytes));
            }
            bytes = *value;
          },
          description)
      ->type_name("SIZE")
      ->default_str(size_words(bytes));
}

CLI::Option* add_duration_option(CLI::App& app, const std::string& name, double& seconds,
                                 const std::string& description, double min_seconds,
                                 double max_seconds) {
  return app
      .add_option_function<std::string>(
          name,
          [&seconds, name, min_seconds, max_seconds](const std::string& text) {
            const auto value = parse_duration(text);
            if (!value) {
              throw CLI::ValidationError(
                  name, "'" + text + "' is not a duration (a number with ms, s, m or h)");
            }
            if (*value < min_seconds || *value > max_seconds) {
              throw CLI::ValidationError(name, "'" + text + "' is outside " +
                                                   duration_words(min_seconds) + " .. " +
                                                   duration_words(max_seconds));
            }
            seconds = *value;
          },
          description)
      ->type_name("DURATION")
      ->default_str(duration_words(seconds));
}

void apply_conventions(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    // Positionals (PATH...) collect every remaining argument by design.
    if (option->get_positional())
      continue;
    option->allow_extra_args(false);
    // A single-value option given twice: the last one wins. Options that collect values
    // (--tag) keep every occurrence.
    if (option->get_multi_option_policy() == CLI::MultiOptionPolicy::Throw &&
        option->get_expected_max() <= 1)
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::Success& e) {
    app.exit(e);  // help or version, on stdout
    return to_int(ExitCode::ok);
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": " << e.what() << " (see " << app.get_name() << " --help)\n";
    return to_int(ExitCode::usage);
  }
}

}  // namespace mavi::cli

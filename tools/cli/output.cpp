#include "cli/output.hpp"

#include <iostream>

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mavi::cli {

void Counts::add(VerdictKind kind) noexcept {
  switch (kind) {
    case VerdictKind::ok:
      ++ok;
      break;
    case VerdictKind::fixable:
      ++fixable;
      break;
    case VerdictKind::rejected:
      ++rejected;
      break;
  }
}

VerdictKind Counts::worst() const noexcept {
  if (rejected > 0 || unusable_paths > 0)
    return VerdictKind::rejected;
  if (fixable > 0)
    return VerdictKind::fixable;
  return VerdictKind::ok;
}

bool color_enabled(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0')
    return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0)
    return false;
  return ::isatty(fd) == 1;
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      c = '?';
  }
  return out;
}

const Finding* main_finding(const Verdict& verdict) {
  const Finding* first_error = nullptr;
  for (const auto& f : verdict.findings) {
    if (f.severity != Severity::error)
      continue;
    if (verdict.kind == VerdictKind::rejected && f.fix == Action::none)
      return &f;
    if (first_error == nullptr)
      first_error = &f;
  }
  if (first_error != nullptr)
    return first_error;
  return verdict.findings.empty() ? nullptr : &verdict.findings.front();
}

namespace {

std::string_view color_of(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::ok:
      return "\033[32m";  // green
    case VerdictKind::fixable:
      return "\033[33m";  // yellow
    case VerdictKind::rejected:
      return "\033[31m";  // red
  }
  return "";
}

constexpr std::string_view kReset = "\033[0m";

}  // namespace

std::string human_line(const CheckResult& result, bool color) {
  std::string verdict(to_string(result.verdict.kind));
  const std::size_t pad = verdict.size() < 10 ? 10 - verdict.size() : 1;
  std::string line;
  if (color) {
    line += color_of(result.verdict.kind);
    line += verdict;
    line += kReset;
  } else {
    line += verdict;
  }
  line.append(pad, ' ');
  line += printable(result.path.string());

  const Finding* main = main_finding(result.verdict);
  if (main == nullptr)
    return line;
  line += "  ";
  if (main->severity == Severity::warning) {
    line += "warning: ";
  } else if (result.verdict.kind == VerdictKind::fixable && main->fix != Action::none) {
    line += std::string(to_string(main->fix)) + ": ";
  }
  line += printable(main->message);
  const std::size_t more = result.verdict.findings.size() - 1;
  if (more > 0)
    line += " (+" + std::to_string(more) + " more)";
  return line;
}

std::string human_details(const CheckResult& result, bool color) {
  std::string text;
  for (const auto& f : result.verdict.findings) {
    std::string severity(to_string(f.severity));
    severity.resize(8, ' ');
    text += "    ";
    if (color) {
      text += (f.severity == Severity::error ? "\033[31m" : "\033[33m") + severity;
      text += kReset;
    } else {
      text += severity;
    }
    text += f.code + ": " + printable(f.message);
    if (f.fix != Action::none)
      text += " [fix: " + std::string(to_string(f.fix)) + "]";
    text += "\n";
  }
  return text;
}

std::string summary_line(const Counts& counts) {
  const std::size_t n = counts.files();
  std::string line = std::to_string(n) + (n == 1 ? " file: " : " files: ") +
                     std::to_string(counts.ok) + " ok, " + std::to_string(counts.fixable) +
                     " fixable, " + std::to_string(counts.rejected) + " rejected";
  if (counts.unusable_paths > 0) {
    line += "; " + std::to_string(counts.unusable_paths) +
            (counts.unusable_paths == 1 ? " path" : " paths") + " could not be examined";
  }
  return line;
}

bool flush_results(std::string_view program) {
  std::cout.flush();
  if (std::cout)
    return true;
  std::cerr << program << ": cannot write the results to stdout\n";
  return false;
}

}  // namespace mavi::cli

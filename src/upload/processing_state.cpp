// The one classifier of MAVI's status words (mavi::processing_state): every reader of a
// status (the generations' modules, --wait, the journal, the reports) asks it.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "mavi/upload.hpp"

namespace mavi {

namespace {

struct Word {
  std::string_view text;
  ProcessingState state;
};

// Every word MAVI's pages give (docs/upload.md, "Processing statuses", cites them).
constexpr std::array kWords{
    Word{"UNPARSE", ProcessingState::pending},   Word{"WAITING", ProcessingState::pending},
    Word{"UPLOADING", ProcessingState::pending}, Word{"PARSE", ProcessingState::ready},
    Word{"SUCCESS", ProcessingState::ready},     Word{"FAIL", ProcessingState::failed},
    Word{"FAILED", ProcessingState::failed},     Word{"PARSE_ERROR", ProcessingState::failed},
};

}  // namespace

ProcessingState processing_state(std::string_view video_status) noexcept {
  // Servers differ in case and stray blanks, never in meaning.
  while (!video_status.empty() && std::isspace(static_cast<unsigned char>(video_status.front())))
    video_status.remove_prefix(1);
  while (!video_status.empty() && std::isspace(static_cast<unsigned char>(video_status.back())))
    video_status.remove_suffix(1);
  if (video_status.empty())
    return ProcessingState::pending;  // an upload's answer without a status: not processed yet
  for (const Word& word : kWords) {
    if (word.text.size() == video_status.size() &&
        std::equal(word.text.begin(), word.text.end(), video_status.begin(),
                   [](char a, char b) { return a == std::toupper(static_cast<unsigned char>(b)); }))
      return word.state;
  }
  return ProcessingState::unknown;
}

std::string_view to_string(ProcessingState state) noexcept {
  switch (state) {
    case ProcessingState::pending:
      return "pending";
    case ProcessingState::ready:
      return "ready";
    case ProcessingState::failed:
      return "failed";
    case ProcessingState::unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace mavi

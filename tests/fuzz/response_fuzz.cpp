// libFuzzer target: MAVI's answers (libmavi's private src/upload/answers) from arbitrary bytes with
// an arbitrary HTTP status. Every answer must end in a result or a mavi::Error (never another
// exception), and the key must never appear in an error message or a parsed field.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/transfer.hpp"
#include "mavi/error.hpp"
#include "upload/answers.hpp"

namespace {

// A recognisable key; the body may contain it (servers echo what they were sent).
constexpr const char* kKey = "sk-FUZZKEY-0123456789";

void require_no_key(const std::string& text) {
  if (text.find(kKey) != std::string::npos)
    std::abort();  // the key leaked into something a program would print
}

void require_no_key(const mavi::VideoRecord& video) {
  require_no_key(video.video_no);
  require_no_key(video.video_name);
  require_no_key(video.video_status);
  require_no_key(video.upload_time);
  require_no_key(video.duration);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  static constexpr long kStatuses[] = {200, 201, 204, 301, 302, 400, 401,
                                       403, 404, 429, 500, 502, 503};
  const long status = input.ConsumeBool() ? input.PickValueInArray(kStatuses)
                                          : input.ConsumeIntegralInRange<long>(0, 999);
  const int which = input.ConsumeIntegralInRange(0, 3);
  const std::string body = input.ConsumeRemainingBytesAsString();
  const std::string what = "upload to http://127.0.0.1:1/api";

  try {
    switch (which) {
      case 0: {
        const auto answer = mavi::detail::parse_upload_answer(status, body, what, kKey);
        require_no_key(answer.msg);
        // Fields are MAVI's data; they may repeat what the body says (a field equal to the
        // key is the server's business), but the message is redacted.
        break;
      }
      case 1: {
        const auto page = mavi::detail::parse_video_list(status, body, what, kKey);
        if (page.total < -1)
          std::abort();
        break;
      }
      case 2: {
        (void)mavi::detail::parse_metadata(status, body, what, kKey);
        break;
      }
      default: {
        const std::string text = mavi::detail::excerpt(body, kKey);
        require_no_key(text);
        // 200 characters, each "Bearer x" at most doubled by its "<redacted>", plus "...".
        if (text.size() > 2 * 200 + 3)
          std::abort();
        require_no_key(mavi::detail::http::redact(body, kKey));
        break;
      }
    }
  } catch (const mavi::Error& error) {
    require_no_key(error.what());
    // An error message stays short whatever the body: excerpts are capped.
    if (std::string(error.what()).size() > 2000)
      std::abort();
  }
  return 0;
}

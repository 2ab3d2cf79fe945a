// prepare(): the orchestration. Input opened (or taken from the check), a temporary output, the
// output streams set up, the reader thread decoding into the writer, the file verified, renamed.
#include "mavi/prepare.hpp"

#include <chrono>
#include <string>
#include <system_error>

#include "ffmpeg/av_error.hpp"
#include "ffmpeg/transcode_handles.hpp"
#include "mavi/error.hpp"
#include "mavi/probe.hpp"
#include "media/opened_media.hpp"
#include "prepare/frame_queue.hpp"
#include "prepare/job.hpp"
#include "prepare/reader.hpp"
#include "prepare/stream_setup.hpp"
#include "prepare/temp_output.hpp"
#include "prepare/verify.hpp"
#include "prepare/writer.hpp"

namespace mavi {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using detail::ffmpeg::ensure;

// Fit-to-size encodes after the first that came out over the limit.
constexpr int kFitAttempts = 3;

void require_input(const fs::path& input, const fs::path& output) {
  std::error_code ec;
  if (!fs::exists(input, ec))
    throw Error(Errc::not_found, "no such file: " + input.string());
  if (!fs::is_regular_file(input, ec)) {
    throw Error(Errc::invalid_argument, "not a regular file: " + input.string());
  }
  if (fs::exists(output, ec) && fs::equivalent(input, output, ec)) {
    throw Error(Errc::invalid_argument,
                "the output " + output.string() + " is the input: refusing to overwrite it");
  }
  if (fs::is_directory(output, ec)) {
    throw Error(Errc::invalid_argument, "the output " + output.string() + " is a folder");
  }
}

}  // namespace

PrepareResult prepare(const fs::path& input, const fs::path& output, const Plan& plan,
                      const PrepareOptions& options, const PrepareProgress& progress) {
  return detail::prepare_opened(input, nullptr, output, plan, options, progress);
}

PrepareResult prepare(const CheckResult& checked, const fs::path& output, const Plan& plan,
                      const PrepareOptions& options, const PrepareProgress& progress) {
  return detail::prepare_opened(checked.path, detail::take_input(checked.opened), output, plan,
                                options, progress);
}

PrepareResult detail::prepare_opened(const fs::path& input, detail::ffmpeg::InputFormat opened,
                                     const fs::path& output, const Plan& plan,
                                     const PrepareOptions& options, const PrepareProgress& progress,
                                     int attempt) {
  const auto started = Clock::now();
  require_input(input, output);
  if (options.cancel.requested())
    throw Error(Errc::cancelled, "preparation cancelled");
  Job job;
  job.cancel = options.cancel;

  // Input, read-only: opened (and its content recognised) the way probe() does.
  ffmpeg::InputFormat in = opened ? std::move(opened) : probe_open(input).input;
  in->interrupt_callback = AVIOInterruptCB{interrupt_cb, &job};

  TempOutput temp(output);
  AVFormatContext* raw_out = nullptr;
  ensure(avformat_alloc_output_context2(&raw_out, nullptr, "mp4", temp.path().c_str()),
         Errc::internal, "creating the MP4 muxer");
  ffmpeg::OutputFormat out(raw_out);
  OutputStreams setup = setup_streams(in.get(), out.get(), input, plan, options);
  std::vector<OutStream>& streams = setup.streams;

  AVIOInterruptCB int_cb{interrupt_cb, &job};
  ensure(avio_open2(&out->pb, temp.path().c_str(), AVIO_FLAG_WRITE, &int_cb, nullptr), Errc::io,
         "opening " + temp.path().string());
  AVDictionary* mux_opts = nullptr;
  // faststart rewrites the whole file to move the index to the front: worth it for a fresh
  // encode (players can start at once), not for a stream copy, where it would double the
  // writing for nothing MAVI needs (it reads the whole upload either way).
  if (plan.action == Action::transcode)
    av_dict_set(&mux_opts, "movflags", "+faststart", 0);
  const int ret = avformat_write_header(out.get(), &mux_opts);
  av_dict_free(&mux_opts);
  ensure(ret, Errc::media, "writing the MP4 header to " + temp.path().string());

  const double total_s =
      plan.input_duration ? plan.input_duration->count() : kept_duration(in.get(), streams);
  {
    BoundedQueue<Item> queue(16);
    Writer writer(out.get(), streams, progress, total_s, job);
    ReaderThread reader(queue, job);
    reader.start([&] { read_and_decode(in.get(), streams, setup.map, queue, job); });
    while (auto item = queue.pop()) {
      writer.handle(*item);
    }
    reader.join();
    if (job.stopped())
      throw Error(Errc::cancelled, "preparation cancelled");
    writer.finish();
  }
  ensure(av_write_trailer(out.get()), Errc::io, "finishing " + temp.path().string());
  ensure(avio_closep(&out->pb), Errc::io, "closing " + temp.path().string());
  if (job.stopped())
    throw Error(Errc::cancelled, "preparation cancelled");

  // A fit-to-size encode over the limit (ABR overshoots on short clips): encode again, the video
  // at a rate scaled by what its bytes may be (the limit less 4 % and less what the audio and
  // the container took) over what they were; not below the minimum rate, a few times at most.
  if (plan.video_bit_rate && plan.rules.max_size_bytes > 0 && attempt < kFitAttempts) {
    std::error_code size_ec;
    const auto written = static_cast<double>(fs::file_size(temp.path(), size_ec));
    const auto limit = static_cast<double>(plan.rules.max_size_bytes);
    double video_bytes = 0;
    for (const auto& os : streams) {
      if (os.is_video())
        video_bytes += static_cast<double>(os.bytes);
    }
    const std::int64_t rate = *plan.video_bit_rate;
    if (!size_ec && written > limit && video_bytes > 0 && rate > options.min_video_bit_rate) {
      const double may = 0.96 * limit - (written - video_bytes);
      Plan again = plan;
      again.video_bit_rate = std::max(
          options.min_video_bit_rate,
          static_cast<std::int64_t>(static_cast<double>(rate) * std::max(0.0, may) / video_bytes));
      in.reset();
      return prepare_opened(input, nullptr, output, again, options, progress, attempt + 1);
    }
    if (!size_ec && written > limit && rate <= options.min_video_bit_rate) {
      throw Error(Errc::unsupported,
                  "cannot fit " + input.string() + " under " +
                      std::to_string(plan.rules.max_size_bytes) + " bytes: at the minimum of " +
                      std::to_string(options.min_video_bit_rate / 1000) +
                      " kb/s of video it takes " +
                      std::to_string(static_cast<std::uintmax_t>(written)) + " bytes");
    }
  }

  // Verify before the file gets its name.
  Verified verified =
      verify_output(temp.path(), input, plan.rules, expected_from(in.get(), streams));
  temp.commit(output, options.replace_output);
  PrepareResult result;
  result.media = std::move(verified.media);
  result.verdict = std::move(verified.verdict);
  result.output = output;
  result.media.path = output;
  std::error_code ec;
  result.size_bytes = fs::file_size(output, ec);
  result.streams = plan.streams;
  result.elapsed = Clock::now() - started;
  // The input's length, or the output's when the input did not say (RoQ, raw streams).
  const double media_s = total_s > 0 ? total_s : result.media.duration.value_or(Seconds{0}).count();
  result.speed = result.elapsed.count() > 0 ? media_s / result.elapsed.count() : 0;
  result.encodes = attempt + 1;
  result.video_bit_rate = plan.video_bit_rate;
  return result;
}

}  // namespace mavi

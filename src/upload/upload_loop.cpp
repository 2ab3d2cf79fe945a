#include "upload/upload_loop.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "upload/lookup.hpp"

namespace mavi::detail {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

// One upload's attempts. Each member function is one decision of the loop in run().
class UploadLoop {
 public:
  UploadLoop(const UploadLoopSetup& setup, const UploadRun& run, const ProgressCallback& progress)
      : setup_(setup),
        run_(run),
        progress_(progress),
        started_(steady_clock::now()),
        guard_(
            run.name,
            [this](const TimeWindow& window) { return setup_.find(run_.identity(), window); },
            setup.log, system_clock::now(), setup.clock_skew_allowance) {}

  UploadResult run() {
    for (attempt_ = 1; attempt_ <= setup_.retry.max_attempts; ++attempt_) {
      if (attempt_ > 1 && !rate_limited_)
        wait_before_retry();
      if (attempt_ > 1 && guard_.lookup_pending()) {
        if (auto found = look_up_before_resend())
          return recovered(std::move(*found));
        if (look_up_failed_)
          continue;  // look again before the next attempt rather than risk a duplicate
      }
      rate_limited_ = false;
      if (!setup_.upload_pacer->acquire_observed(
              setup_.upload_ceiling,
              [this](const Pacer::Wait& wait) { return wait_for_slot(wait); }))
        throw Error(Errc::cancelled, run_.what + ": cancelled while waiting for an upload slot");

      AttemptResult sent = run_.send(attempt_);
      result_.bytes_sent += sent.bytes_sent;
      if (sent.answer)
        return answered(std::move(sent));
      if (auto found = after_failure(sent))
        return recovered(std::move(*found));
    }
    return give_up();
  }

 private:
  // The backoff before a retry, or the server's Retry-After when longer.
  void wait_before_retry() {
    const milliseconds delay =
        std::max<milliseconds>(backoff_for(setup_.retry, attempt_), retry_after_);
    log("attempt " + std::to_string(attempt_) + " of " + std::to_string(setup_.retry.max_attempts) +
        " in " + std::to_string(delay.count()) + " ms after: " + last_error_->what());
    if (!interruptible_sleep(delay, [this] { return keep_waiting(); }))
      throw Error(Errc::cancelled, run_.what + ": cancelled while waiting to retry");
  }

  // An earlier attempt may have been stored: look for it before sending again. Sets
  // look_up_failed_ when the look-up itself failed in a way worth another try.
  std::optional<VideoRecord> look_up_before_resend() {
    look_up_failed_ = false;
    if (!can_settle())
      throw unsettled(last_error_->what());
    try {
      return guard_.look_up();
    } catch (const Error& e) {
      if (!is_retryable(e.kind()))
        throw;
      if (e.kind() == Errc::rate_limited) {
        setup_.list_pacer->on_rate_limited(setup_.list_ceiling, seconds{0});
        --attempt_;  // the look-up's own pace, not a failed attempt
      }
      last_error_ = e;
      retry_after_ = seconds{0};
      rate_limited_ = false;
      look_up_failed_ = true;
      return std::nullopt;
    }
  }

  UploadResult answered(AttemptResult sent) {
    setup_.upload_pacer->on_admitted(setup_.upload_ceiling);
    result_.http_status = static_cast<int>(sent.http_status);
    result_.code = std::move(sent.answer->code);
    result_.msg = std::move(sent.answer->msg);
    result_.video = std::move(sent.answer->video);
    return finish();
  }

  // A failed attempt: throws when it is final, returns the video when a duplicate answer
  // shows an earlier attempt arrived, and otherwise records what the next attempt must know.
  std::optional<VideoRecord> after_failure(const AttemptResult& sent) {
    const Error& e = *sent.error;
    if (ResendGuard::duplicate_of_earlier_attempt(e.kind(), attempt_)) {
      if (auto found = guard_.look_up())
        return found;
    }
    if (!is_retryable(e.kind()))
      throw e;
    last_error_ = e;
    retry_after_ = sent.retry_after;
    if (e.kind() == Errc::rate_limited) {
      on_rate_limited(e, sent.http_status);
      return std::nullopt;
    }
    limit_answers_at_400_ = 0;
    if (retry_after_ > setup_.retry.max_retry_after) {
      throw Error(e.kind(),
                  std::string(e.what()) + " (server asks to wait " +
                      std::to_string(retry_after_.count()) + " s)",
                  e.native_code());
    }
    guard_.after_retryable_failure(e.kind(), sent.whole_body_sent);
    return std::nullopt;
  }

  // MAVI's pace, not this file's failure: the whole upload stage slows down (the shared pacer
  // halves its rate, honouring a Retry-After), and the attempt is not used up.
  void on_rate_limited(const Error& e, long http_status) {
    const int cap = setup_.api->limit_answers_at_400_before_refusal();
    if (http_status == 400 && cap > 0 && ++limit_answers_at_400_ >= cap) {
      // The generation answers some invalid requests with the same HTTP 400 words: after this
      // many in a row, while the pace halved each time, it is this request that is refused.
      throw Error(Errc::bad_request,
                  std::string(e.what()) + " (" + std::to_string(limit_answers_at_400_) +
                      " times in a row with HTTP 400, the pace halved each time: taken for a "
                      "refusal of this request, which " +
                      std::string(setup_.api->name()) +
                      " answers with the same words, not for rate limiting)",
                  e.native_code());
    }
    setup_.upload_pacer->on_rate_limited(setup_.upload_ceiling, retry_after_);
    ++result_.rate_limited_answers;
    log("rate limited (" + std::string(e.what()) + "): uploads slowed to " +
        std::to_string(setup_.upload_pacer->per_minute(setup_.upload_ceiling)) + " a minute");
    rate_limited_ = true;
    --attempt_;
  }

  // The retries are spent: a last look-up when one is pending, else the last failure.
  UploadResult give_up() {
    attempt_ = setup_.retry.max_attempts;
    if (guard_.lookup_pending() && !can_settle())
      throw unsettled(last_error_->what());
    if (guard_.lookup_pending()) {
      try {
        if (auto found = guard_.look_up())
          return recovered(std::move(*found));
      } catch (const Error&) {
        // Report the upload failure, which is what the caller must act on.
      }
    }
    throw Error(last_error_->kind(),
                std::string(last_error_->what()) + " (gave up after " +
                    std::to_string(setup_.retry.max_attempts) + " attempts)",
                last_error_->native_code());
  }

  // A generation without a listing can only settle an ambiguous failure by a reserved asset:
  // a direct upload whose answer was lost is not sent again (it could be stored twice).
  bool can_settle() const { return setup_.api->has_listing() || !run_.identity().asset_id.empty(); }

  Error unsettled(const std::string& reason) const {
    return Error(Errc::http,
                 run_.what + ": " + reason + "; the whole file had been sent and the " +
                     std::string(setup_.api->name()) +
                     " API lists no uploads to check whether it arrived, so it is not sent "
                     "again (a signed-URL upload, --upload-via signed-url, can be checked)");
  }

  bool keep_waiting() const {
    UploadProgress waiting{0, 0, 0, std::max(attempt_, 1)};
    waiting.rate_limited_answers = result_.rate_limited_answers;
    return !progress_ || progress_(waiting);
  }

  // While waiting for the slot, the caller hears how long it will be and at what pace.
  bool wait_for_slot(const Pacer::Wait& wait) const {
    if (!progress_)
      return true;
    UploadProgress waiting{0, 0, 0, std::max(attempt_, 1)};
    waiting.waiting_for_slot = true;
    waiting.slot_in =
        std::max(milliseconds{0}, duration_cast<milliseconds>(wait.slot - steady_clock::now()));
    waiting.uploads_per_minute = wait.per_minute;
    waiting.rate_limited = wait.rate_limited;
    waiting.rate_limited_answers = result_.rate_limited_answers;
    return progress_(waiting);
  }

  UploadResult recovered(VideoRecord video) {
    result_.video = std::move(video);
    result_.code = "0000";
    result_.recovered_by_lookup = true;
    return finish();
  }

  UploadResult finish() {
    result_.attempts = attempt_;
    result_.elapsed = duration_cast<milliseconds>(steady_clock::now() - started_);
    return result_;
  }

  void log(const std::string& line) const {
    if (setup_.log)
      setup_.log(line);
  }

  const UploadLoopSetup& setup_;
  const UploadRun& run_;
  const ProgressCallback& progress_;
  const steady_clock::time_point started_;
  ResendGuard guard_;

  UploadResult result_;
  int attempt_ = 0;
  std::optional<Error> last_error_;
  seconds retry_after_{0};        // the server's Retry-After, 0 when none
  bool rate_limited_ = false;     // the last answer was "rate limited": the pacer is the backoff
  bool look_up_failed_ = false;   // the last look-up before a resend failed, retryably
  int limit_answers_at_400_ = 0;  // "exceeded the limit" with HTTP 400, in a row
};

}  // namespace

UploadResult run_upload(const UploadLoopSetup& setup, const UploadRun& run,
                        const ProgressCallback& progress) {
  return UploadLoop(setup, run, progress).run();
}

}  // namespace mavi::detail

#include "client/load_generator.h"

#include <atomic>
#include <barrier>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/call_cancellation.h"
#include "client/cancel_scheduler.h"

namespace tserve::client {

namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// What happens to a call besides being made.
enum class Fate { kNormal, kCancelled, kShortDeadline };

struct CallPlan {
  CallKind kind = CallKind::kTranslate;
  Fate fate = Fate::kNormal;
  // For kCancelled: when, after the start, to cancel.
  absl::Duration cancel_after;
};

struct CallOutcome {
  absl::Status status;
  int64_t sentences = 0;
  int64_t target_tokens = 0;
  double latency_ms = 0;
  std::optional<double> first_token_ms;
};

// Generated tokens of the best hypothesis. token_scores holds one entry per
// generated token, end of sentence included (the request asks for them).
int64_t TargetTokens(const tserve::v1::TranslationResult& result) {
  if (result.hypotheses_size() == 0) return 0;
  return result.hypotheses(0).token_scores_size();
}

// A uniform draw in [0, 1).
double Draw(std::mt19937_64& random) { return std::uniform_real_distribution<double>(0, 1)(random); }

bool IsExpected(Fate fate, absl::StatusCode code) {
  return (fate == Fate::kCancelled && code == absl::StatusCode::kCancelled) ||
         (fate == Fate::kShortDeadline && code == absl::StatusCode::kDeadlineExceeded);
}

// The state the client threads share.
class LoadRun {
 public:
  LoadRun(Client& client, const std::vector<std::string>& texts, const LoadOptions& options)
      : client_(client),
        texts_(texts),
        options_(options),
        measuring_(options.concurrency, StartClock{this}) {
    // Target tokens are counted from the per-token scores.
    options_.translate.mutable_options()->set_return_token_scores(true);
    options_.translate.clear_texts();
    options_.encode.clear_texts();
  }

  LoadResult Run() {
    std::vector<std::array<CallTally, kCallKinds>> tallies(options_.concurrency);
    std::vector<std::thread> threads;
    threads.reserve(options_.concurrency);
    for (int i = 0; i < options_.concurrency; ++i) {
      threads.emplace_back([this, i, &tallies] { ClientLoop(i, tallies[i]); });
    }
    for (std::thread& thread : threads) thread.join();

    LoadResult result;
    result.seconds = std::chrono::duration<double>(Clock::now() - measure_start_).count();
    for (const auto& per_thread : tallies) {
      for (int k = 0; k < kCallKinds; ++k) result.by_kind[k].Add(per_thread[k]);
    }
    return result;
  }

 private:
  // Runs in the last thread to finish warming up, before any measured call.
  struct StartClock {
    LoadRun* run;
    void operator()() noexcept { run->StartMeasuring(); }
  };
  void StartMeasuring() {
    measure_start_ = Clock::now();
    measure_end_ = absl::Now() + options_.duration;
  }

  void ClientLoop(int index, std::array<CallTally, kCallKinds>& tallies) {
    std::mt19937_64 random(options_.seed * 1000003 + static_cast<uint64_t>(index));
    while (warmup_claimed_.fetch_add(1) < options_.warmup_requests) {
      CallPlan plan;
      plan.kind = options_.mix.Pick(Draw(random));
      MakeCall(plan);
    }
    measuring_.arrive_and_wait();
    while (true) {
      if (options_.requests > 0) {
        if (claimed_.fetch_add(1) >= options_.requests) break;
      } else if (absl::Now() >= measure_end_) {
        break;
      }
      const CallPlan plan = Plan(random);
      const CallOutcome outcome = MakeCall(plan);
      Record(plan, outcome, tallies[static_cast<int>(plan.kind)]);
    }
  }

  CallPlan Plan(std::mt19937_64& random) {
    CallPlan plan;
    plan.kind = options_.mix.Pick(Draw(random));
    const double fate = Draw(random);
    if (fate < options_.cancel_fraction) {
      plan.fate = Fate::kCancelled;
      plan.cancel_after = options_.cancel_within * Draw(random);
    } else if (fate < options_.cancel_fraction + options_.short_deadline_fraction) {
      plan.fate = Fate::kShortDeadline;
    }
    return plan;
  }

  // The next `count` input texts, cycling.
  template <typename Add>
  void TakeTexts(int count, Add add) {
    const uint64_t first = next_text_.fetch_add(static_cast<uint64_t>(count));
    for (int i = 0; i < count; ++i) add(texts_[(first + i) % texts_.size()]);
  }

  CallOutcome MakeCall(const CallPlan& plan) {
    CallOptions call;
    std::shared_ptr<CallCancellation> cancellation;
    if (plan.fate == Fate::kShortDeadline) call.timeout = options_.short_deadline;
    if (plan.fate == Fate::kCancelled) {
      cancellation = std::make_shared<CallCancellation>();
      call.cancellation = cancellation.get();
      canceller_.CancelAt(cancellation, absl::Now() + plan.cancel_after);
    }
    CallOutcome outcome;
    const Clock::time_point start = Clock::now();
    switch (plan.kind) {
      case CallKind::kTranslate: {
        tserve::v1::TranslateRequest request = options_.translate;
        TakeTexts(options_.texts_per_request, [&](const std::string& t) { request.add_texts(t); });
        outcome.sentences = request.texts_size();
        absl::StatusOr<tserve::v1::TranslateResponse> response = client_.Translate(request, call);
        outcome.status = response.status();
        if (response.ok()) {
          for (const auto& result : response->results()) outcome.target_tokens += TargetTokens(result);
        }
        break;
      }
      case CallKind::kStream: {
        tserve::v1::TranslateStreamRequest request;
        request.set_model(options_.translate.model());
        *request.mutable_options() = options_.translate.options();
        request.set_truncation(options_.translate.truncation());
        request.set_target_language(options_.translate.target_language());
        request.set_source_language(options_.translate.source_language());
        TakeTexts(1, [&](const std::string& t) { request.set_text(t); });
        outcome.sentences = 1;
        int64_t tokens = 0;
        outcome.status = client_.TranslateStream(
            request,
            [&](const tserve::v1::TranslateStreamResponse& message) {
              if (message.has_token() && !outcome.first_token_ms) {
                outcome.first_token_ms = MillisecondsSince(start);
              }
              if (message.has_result()) tokens = TargetTokens(message.result());
            },
            call);
        if (outcome.status.ok()) outcome.target_tokens = tokens;
        break;
      }
      case CallKind::kEncode: {
        tserve::v1::EncodeRequest request = options_.encode;
        TakeTexts(options_.texts_per_request, [&](const std::string& t) { request.add_texts(t); });
        outcome.sentences = request.texts_size();
        outcome.status = client_.Encode(request, call).status();
        break;
      }
    }
    outcome.latency_ms = MillisecondsSince(start);
    return outcome;
  }

  static void Record(const CallPlan& plan, const CallOutcome& outcome, CallTally& tally) {
    ++tally.calls;
    tally.sentences += outcome.sentences;
    if (plan.fate == Fate::kCancelled) ++tally.cancel_attempts;
    if (plan.fate == Fate::kShortDeadline) ++tally.short_deadline_calls;
    if (outcome.status.ok()) {
      ++tally.ok;
      tally.ok_sentences += outcome.sentences;
      tally.target_tokens += outcome.target_tokens;
      tally.latencies_ms.push_back(outcome.latency_ms);
      if (outcome.first_token_ms) tally.first_token_ms.push_back(*outcome.first_token_ms);
    } else if (IsExpected(plan.fate, outcome.status.code())) {
      ++tally.expected_errors[outcome.status.code()];
    } else {
      ++tally.unexpected_errors[outcome.status.code()];
      if (tally.first_unexpected_error.ok()) tally.first_unexpected_error = outcome.status;
    }
  }

  Client& client_;
  const std::vector<std::string>& texts_;
  LoadOptions options_;
  CancelScheduler canceller_;
  std::atomic<int64_t> warmup_claimed_{0};
  std::atomic<int64_t> claimed_{0};
  std::atomic<uint64_t> next_text_{0};
  // Every client thread waits here after warming up; the last to arrive
  // starts the clock. The barrier orders the writes of StartMeasuring()
  // before every thread's reads of measure_start_ and measure_end_.
  std::barrier<StartClock> measuring_;
  Clock::time_point measure_start_;
  absl::Time measure_end_;
};

}  // namespace

absl::Status CheckLoadOptions(const LoadOptions& options) {
  if (options.concurrency < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--concurrency=", options.concurrency, ": must be at least 1"));
  }
  if (options.requests < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--requests=", options.requests, ": must be >= 0 (0 runs for --duration_s)"));
  }
  if (options.requests == 0 && options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("give --requests=N or a positive --duration_s");
  }
  if (options.warmup_requests < 0) {
    return absl::InvalidArgumentError("--warmup_requests must be >= 0");
  }
  if (options.texts_per_request < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--texts_per_request=", options.texts_per_request, ": must be at least 1"));
  }
  if (options.cancel_fraction < 0 || options.short_deadline_fraction < 0 ||
      options.cancel_fraction + options.short_deadline_fraction > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--cancel_fraction=", options.cancel_fraction, " and --short_deadline_fraction=",
        options.short_deadline_fraction, " must be >= 0 and add up to at most 1"));
  }
  if (options.cancel_fraction > 0 && options.cancel_within <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--cancel_within_ms must be positive");
  }
  if (options.short_deadline_fraction > 0 && options.short_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--short_deadline_ms must be positive");
  }
  return absl::OkStatus();
}

int64_t CallTally::unexpected_error_count() const {
  int64_t count = 0;
  for (const auto& [code, n] : unexpected_errors) count += n;
  return count;
}

void CallTally::Add(const CallTally& other) {
  calls += other.calls;
  ok += other.ok;
  sentences += other.sentences;
  ok_sentences += other.ok_sentences;
  target_tokens += other.target_tokens;
  cancel_attempts += other.cancel_attempts;
  short_deadline_calls += other.short_deadline_calls;
  for (const auto& [code, n] : other.expected_errors) expected_errors[code] += n;
  for (const auto& [code, n] : other.unexpected_errors) unexpected_errors[code] += n;
  if (first_unexpected_error.ok()) first_unexpected_error = other.first_unexpected_error;
  latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
  first_token_ms.insert(first_token_ms.end(), other.first_token_ms.begin(),
                        other.first_token_ms.end());
}

CallTally LoadResult::Total() const {
  CallTally total;
  for (const CallTally& tally : by_kind) total.Add(tally);
  return total;
}

LoadResult RunLoad(Client& client, const std::vector<std::string>& texts,
                   const LoadOptions& options) {
  LoadRun run(client, texts, options);
  return run.Run();
}

}  // namespace tserve::client

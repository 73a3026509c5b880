// The batching scheduler over a real (small) model: results independent of
// batching under concurrent load, continuous decoding, backpressure,
// deadlines, cancellation and shutdown, with resources released each time;
// the sentences of one request joining the decoder together.
#include "server/batching/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <optional>
#include <random>
#include <thread>

namespace tserve::server {
namespace {

using ::testing::HasSubstr;

const std::string kModel = "swish-untied-f16";

std::string ModelDir() {
  return (std::filesystem::path(TSERVE_SOURCE_DIR) / "tests/data/models" / kModel).string();
}

class SchedulerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = engine::TranslationModel::Load(ModelDir());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    model_ = loaded->release();
  }
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }

  // A random source of `length` tokens (eos last), avoiding special ids.
  static std::vector<int32_t> RandomSource(std::mt19937& rng, int length) {
    const auto& c = model_->config();
    std::uniform_int_distribution<int32_t> id(2, static_cast<int32_t>(c.vocab_size) - 2);
    std::vector<int32_t> ids;
    for (int i = 0; i + 1 < length; ++i) ids.push_back(id(rng));
    ids.push_back(static_cast<int32_t>(c.eos_token_id));
    return ids;
  }

  static engine::DecodingOptions Options(int beam, int max_length, bool ignore_eos = false) {
    engine::DecodingOptions o;
    o.beam_size = beam;
    o.max_length = max_length;
    o.ignore_eos = ignore_eos;
    return o;
  }

  // Submits one item and returns a future of its outcome.
  static std::future<absl::StatusOr<ItemResult>> SubmitOne(Scheduler& scheduler, WorkItem item,
                                                           absl::Status* admission = nullptr) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<ItemResult>>>();
    auto future = promise->get_future();
    item.on_done = [promise](absl::StatusOr<ItemResult> r) { promise->set_value(std::move(r)); };
    std::vector<WorkItem> items;
    items.push_back(std::move(item));
    absl::Status status = scheduler.Submit(std::move(items));
    if (admission != nullptr) *admission = status;
    if (!status.ok()) promise->set_value(status);
    return future;
  }

  static WorkItem TranslateItem(std::vector<int32_t> source, engine::DecodingOptions options) {
    WorkItem item;
    item.source = std::move(source);
    item.decoding = std::move(options);
    return item;
  }

  // An item that holds a live slot for at least 250 ms however fast the
  // machine: each of its 250 tokens sleeps 1 ms on the engine thread (the
  // model is small enough to decode 250 tokens in a few milliseconds).
  static WorkItem Blocker(std::mt19937& rng) {
    WorkItem item = TranslateItem(RandomSource(rng, 5), Options(1, 250, true));
    item.on_token = [](const engine::StreamedToken&) { absl::SleepFor(absl::Milliseconds(1)); };
    return item;
  }

  // Submits the sentences of one request that join the decoder together, as
  // the translate service submits a unary call of several texts, and
  // returns futures of their outcomes, in order.
  static std::vector<std::future<absl::StatusOr<ItemResult>>> SubmitRequest(
      Scheduler& scheduler, std::vector<WorkItem> items) {
    auto group = std::make_shared<JoinGroup>(static_cast<int>(items.size()));
    std::vector<std::shared_ptr<std::promise<absl::StatusOr<ItemResult>>>> promises;
    std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
    for (WorkItem& item : items) {
      auto promise = std::make_shared<std::promise<absl::StatusOr<ItemResult>>>();
      promises.push_back(promise);
      futures.push_back(promise->get_future());
      item.join_group = group;
      item.on_done = [promise](absl::StatusOr<ItemResult> r) { promise->set_value(std::move(r)); };
    }
    const absl::Status status = scheduler.Submit(std::move(items));
    EXPECT_TRUE(status.ok()) << status;
    if (!status.ok()) {
      for (auto& promise : promises) promise->set_value(status);
    }
    return futures;
  }

  // Options under which a long sentence takes hundreds of loop iterations to
  // encode: one row per iteration at most (a budget of 1 token is below one
  // row of a long source in this one-layer model), the budget not growing
  // with the step time.
  static SchedulerOptions SlowEncoding() {
    SchedulerOptions options;
    options.max_encoder_tokens_per_step = 1;
    options.encoder_budget_follows_step = false;
    options.max_queue_delay = absl::ZeroDuration();
    return options;
  }

  // Waits until the engine thread reports at least `held` held sentences.
  static void WaitForHeld(const Scheduler& scheduler, int held) {
    for (int i = 0; i < 10000 && scheduler.Stats().held_sentences < held; ++i) {
      absl::SleepFor(absl::Microseconds(100));
    }
    ASSERT_GE(scheduler.Stats().held_sentences, held);
  }

  // Waits until the engine thread reports `live` sequences.
  static void WaitForLive(const Scheduler& scheduler, int live) {
    for (int i = 0; i < 10000 && scheduler.Stats().live_sequences != live; ++i) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    ASSERT_EQ(scheduler.Stats().live_sequences, live);
  }

  static engine::TranslationModel* model_;
};

engine::TranslationModel* SchedulerTest::model_ = nullptr;

// 300 sentences of 1–120 tokens from 32 threads at once give exactly the
// tokens each gives alone, greedy and beam 4.
TEST_F(SchedulerTest, ResultsUnderConcurrentLoadEqualSentencesAlone) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> length(1, 120);
  std::vector<std::vector<int32_t>> sources;
  for (int i = 0; i < 300; ++i) sources.push_back(RandomSource(rng, length(rng)));

  for (auto [beam, budget] :
       {std::pair{1, 0}, std::pair{4, 0}, std::pair{1, 5}, std::pair{4, 37}}) {
    const engine::DecodingOptions options = Options(beam, 12);
    SchedulerOptions scheduler_options;
    scheduler_options.max_batch_size = 16;
    scheduler_options.max_live_rows = 64;
    scheduler_options.max_encoder_tokens_per_step = budget;
    scheduler_options.encoder_budget_follows_step = false;  // the bound checked below
    Scheduler scheduler(*model_, scheduler_options);

    std::vector<std::future<absl::StatusOr<ItemResult>>> futures(sources.size());
    std::vector<std::thread> threads;
    for (int t = 0; t < 32; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = t; i < sources.size(); i += 32) {
          futures[i] = SubmitOne(scheduler, TranslateItem(sources[i], options));
        }
      });
    }
    for (auto& thread : threads) thread.join();

    for (size_t i = 0; i < sources.size(); ++i) {
      auto result = futures[i].get();
      ASSERT_TRUE(result.ok()) << result.status();
      auto alone = model_->Translate({sources[i]}, options);
      ASSERT_TRUE(alone.ok());
      ASSERT_EQ(result->translation.hypotheses.size(), (*alone)[0].hypotheses.size());
      EXPECT_EQ(result->translation.hypotheses[0].ids, (*alone)[0].hypotheses[0].ids)
          << "beam " << beam << " budget " << budget << " sentence " << i << " ("
          << sources[i].size() << " tokens)";
      EXPECT_EQ(result->translation.hypotheses[0].score, (*alone)[0].hypotheses[0].score)
          << "beam " << beam << " budget " << budget << " sentence " << i;
    }
    const SchedulerStats stats = scheduler.Stats();
    EXPECT_EQ(stats.completed, 300);
    EXPECT_GT(stats.batches, 1);
    EXPECT_EQ(stats.live_rows, 0);
    if (budget > 0) {
      EXPECT_LE(stats.max_encoder_tokens_in_a_step, budget);
      EXPECT_GT(stats.encoder_tasks, stats.batches);
    }
  }
}

// A short sentence decoding beside a long one leaves after as many steps as
// its own length, not the long one's.
TEST_F(SchedulerTest, ShortSentenceFinishesWithinItsOwnLength) {
  Scheduler scheduler(*model_, SchedulerOptions{});
  std::mt19937 rng(7);
  WorkItem long_item = TranslateItem(RandomSource(rng, 30), Options(1, 200, /*ignore_eos=*/true));
  WorkItem short_item = TranslateItem(RandomSource(rng, 3), Options(1, 5, /*ignore_eos=*/true));
  std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
  futures.push_back(SubmitOne(scheduler, std::move(long_item)));
  futures.push_back(SubmitOne(scheduler, std::move(short_item)));
  auto long_result = futures[0].get();
  auto short_result = futures[1].get();
  ASSERT_TRUE(long_result.ok() && short_result.ok());
  const ItemTrace& s = short_result->trace;
  EXPECT_LE(s.finished_at_step - s.joined_at_step, 5);
  EXPECT_EQ(short_result->translation.hypotheses[0].ids.size(), 5u);
  EXPECT_EQ(long_result->trace.finished_at_step - long_result->trace.joined_at_step, 200);
}

// With the live set full, the queue fills; a request that does not fit is
// rejected whole and nothing of it is admitted.
TEST_F(SchedulerTest, FullQueueRejectsWholeRequests) {
  SchedulerOptions options;
  options.max_live_rows = 1;
  options.max_queue_sentences = 3;
  Scheduler scheduler(*model_, options);
  std::mt19937 rng(3);
  auto blocker = SubmitOne(scheduler, Blocker(rng));
  WaitForLive(scheduler, 1);

  std::vector<std::future<absl::StatusOr<ItemResult>>> queued;
  for (int i = 0; i < 2; ++i) {
    queued.push_back(SubmitOne(scheduler, TranslateItem(RandomSource(rng, 5), Options(1, 3))));
  }
  std::vector<WorkItem> too_many;
  for (int i = 0; i < 2; ++i)
    too_many.push_back(TranslateItem(RandomSource(rng, 5), Options(1, 3)));
  const absl::Status status = scheduler.Submit(std::move(too_many));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("queue is full"));
  EXPECT_EQ(scheduler.Stats().admitted, 3);
  EXPECT_EQ(scheduler.Stats().rejected, 2);

  EXPECT_TRUE(blocker.get().ok());
  for (auto& f : queued) EXPECT_TRUE(f.get().ok());
}

// The last queue depth the scheduler reported (what the metrics gauge shows).
class QueueDepthObserver : public SchedulerObserver {
 public:
  void OnQueueDepth(int sentences, int64_t) override { sentences_ = sentences; }
  int sentences() const { return sentences_; }

 private:
  std::atomic<int> sentences_{-1};
};

TEST_F(SchedulerTest, DeadlineInQueueDropsTheItemBeforeEncoding) {
  SchedulerOptions options;
  options.max_live_rows = 1;
  QueueDepthObserver observer;
  Scheduler scheduler(*model_, options, &observer);
  std::mt19937 rng(4);
  auto blocker = SubmitOne(scheduler, Blocker(rng));
  WaitForLive(scheduler, 1);
  WorkItem late = TranslateItem(RandomSource(rng, 5), Options(1, 3));
  late.deadline = absl::Now() + absl::Milliseconds(20);
  auto result = SubmitOne(scheduler, std::move(late)).get();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(scheduler.Stats().dropped_deadline, 1);
  EXPECT_EQ(scheduler.Stats().queued_sentences, 0);
  // Reported while the blocker is still decoding: the gauge does not wait
  // for the next batch to notice the item left.
  EXPECT_EQ(observer.sentences(), 0);
  EXPECT_TRUE(blocker.get().ok());
}

TEST_F(SchedulerTest, DeadlineMidDecodeStopsDecodingAndFreesRows) {
  Scheduler scheduler(*model_, SchedulerOptions{});
  std::mt19937 rng(5);
  std::atomic<int> tokens{0};
  WorkItem item = TranslateItem(RandomSource(rng, 8), Options(1, 250, true));
  item.on_token = [&](const engine::StreamedToken&) {
    // Slow the decoder so the deadline lands mid-decode.
    tokens.fetch_add(1);
    absl::SleepFor(absl::Milliseconds(2));
  };
  item.deadline = absl::Now() + absl::Milliseconds(100);
  auto result = SubmitOne(scheduler, std::move(item)).get();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GT(tokens.load(), 0);
  EXPECT_LT(tokens.load(), 250);
  WaitForLive(scheduler, 0);
  const SchedulerStats stats = scheduler.Stats();
  EXPECT_EQ(stats.live_rows, 0);
  EXPECT_EQ(stats.dropped_deadline, 1);
  EXPECT_GE(stats.pooled_caches, 1);  // the row's cache went back to the pool
}

TEST_F(SchedulerTest, CancellationStopsWithinOneStep) {
  Scheduler scheduler(*model_, SchedulerOptions{});
  std::mt19937 rng(6);
  auto flag = std::make_shared<CancellationFlag>();
  std::atomic<int> tokens{0};
  std::atomic<int> tokens_after_cancel{0};
  WorkItem item = TranslateItem(RandomSource(rng, 8), Options(4, 250, true));
  item.decoding = Options(1, 250, true);
  item.cancellation = flag;
  item.on_token = [&](const engine::StreamedToken&) {
    if (flag->cancelled()) tokens_after_cancel.fetch_add(1);
    if (tokens.fetch_add(1) + 1 == 3) flag->Cancel();
  };
  auto result = SubmitOne(scheduler, std::move(item)).get();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(tokens.load(), 3);
  EXPECT_EQ(tokens_after_cancel.load(), 0);
  WaitForLive(scheduler, 0);
  EXPECT_EQ(scheduler.Stats().live_rows, 0);
  EXPECT_EQ(scheduler.Stats().dropped_cancelled, 1);
}

TEST_F(SchedulerTest, EncodeItemsShareTheQueueAndMatchDirectEncoding) {
  Scheduler scheduler(*model_, SchedulerOptions{});
  std::mt19937 rng(8);
  std::vector<std::vector<int32_t>> sources;
  std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
  for (int i = 0; i < 10; ++i) {
    sources.push_back(RandomSource(rng, 1 + 7 * i));
    WorkItem item;
    item.kind = WorkItem::Kind::kEncode;
    item.source = sources.back();
    item.pooling = engine::Pooling::kMean;
    item.normalize = true;
    futures.push_back(SubmitOne(scheduler, std::move(item)));
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    auto result = futures[i].get();
    ASSERT_TRUE(result.ok()) << result.status();
    auto direct = model_->Embed({sources[i]}, engine::Pooling::kMean, true);
    ASSERT_TRUE(direct.ok());
    ASSERT_EQ(result->embedding.size(), (*direct)[0].size());
    for (size_t j = 0; j < result->embedding.size(); ++j) {
      EXPECT_NEAR(result->embedding[j], (*direct)[0][j], 1e-5f);
    }
  }
}

TEST_F(SchedulerTest, DrainFinishesAdmittedWorkAndRefusesNew) {
  Scheduler scheduler(*model_, SchedulerOptions{});
  std::mt19937 rng(9);
  std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
  for (int i = 0; i < 20; ++i) {
    futures.push_back(SubmitOne(scheduler, TranslateItem(RandomSource(rng, 10), Options(1, 20))));
  }
  EXPECT_TRUE(scheduler.Drain(absl::Now() + absl::Seconds(60)));
  for (auto& f : futures) EXPECT_TRUE(f.get().ok());
  absl::Status admission;
  auto refused =
      SubmitOne(scheduler, TranslateItem(RandomSource(rng, 4), Options(1, 3)), &admission);
  EXPECT_EQ(admission.code(), absl::StatusCode::kUnavailable);
}

TEST_F(SchedulerTest, StopFailsEverythingLeftSoNothingIsLost) {
  SchedulerOptions options;
  options.max_live_rows = 2;
  auto scheduler = std::make_unique<Scheduler>(*model_, options);
  std::mt19937 rng(10);
  std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
  for (int i = 0; i < 10; ++i) {
    futures.push_back(
        SubmitOne(*scheduler, TranslateItem(RandomSource(rng, 6), Options(1, 250, true))));
  }
  WaitForLive(*scheduler, 2);
  scheduler->Stop();
  int unavailable = 0;
  for (auto& f : futures) {
    auto result = f.get();  // every item gets an answer
    if (result.status().code() == absl::StatusCode::kUnavailable) ++unavailable;
  }
  EXPECT_EQ(unavailable, 10);
  EXPECT_EQ(scheduler->Stats().dropped_shutdown, 10);
  EXPECT_EQ(scheduler->Stats().live_rows, 0);
}

// Encoder states through the scheduler, with the encoder work cut into
// slices of a few tokens, equal the states of each source encoded alone, bit
// for bit (POOLING_NONE returns them all).
TEST_F(SchedulerTest, SlicedEncodingGivesTheStatesOfEachSourceAlone) {
  std::mt19937 rng(12);
  std::vector<std::vector<int32_t>> sources;
  for (int length : {1, 3, 40, 255, 256, 9, 120, 2}) sources.push_back(RandomSource(rng, length));
  // A budget of 1 is below one row of a long source in this one-layer model:
  // the scheduler then runs one row per step.
  for (int64_t budget : {int64_t{0}, int64_t{1}, int64_t{6}, int64_t{100}}) {
    SchedulerOptions options;
    options.max_encoder_tokens_per_step = budget;
    options.encoder_budget_follows_step = false;  // the bound checked below
    Scheduler scheduler(*model_, options);
    std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
    for (const auto& source : sources) {
      WorkItem item;
      item.kind = WorkItem::Kind::kEncode;
      item.source = source;
      item.pooling = engine::Pooling::kNone;
      futures.push_back(SubmitOne(scheduler, std::move(item)));
    }
    for (size_t i = 0; i < sources.size(); ++i) {
      auto result = futures[i].get();
      ASSERT_TRUE(result.ok()) << result.status();
      auto alone = model_->EncoderStates({sources[i]});
      ASSERT_TRUE(alone.ok());
      EXPECT_EQ(result->embedding, (*alone)[0]) << "budget " << budget << " source " << i;
    }
    if (budget > 1) {
      EXPECT_LE(scheduler.Stats().max_encoder_tokens_in_a_step, budget);
    }
  }
}

// While a long encode runs in slices, a stream that is decoding keeps
// producing tokens, and a short request submitted after the long one is
// answered before it.
TEST_F(SchedulerTest, LongEncodeDoesNotStallDecodingOrShortRequests) {
  SchedulerOptions options;
  options.max_encoder_tokens_per_step = 4;
  options.encoder_budget_follows_step = false;  // the bound checked below
  options.max_queue_delay = absl::ZeroDuration();
  Scheduler scheduler(*model_, options);
  std::mt19937 rng(13);

  // The stream: one token per decoder step, for as long as the test needs.
  std::atomic<int> stream_tokens{0};
  WorkItem stream = TranslateItem(RandomSource(rng, 5), Options(1, 250, /*ignore_eos=*/true));
  auto stream_flag = std::make_shared<CancellationFlag>();
  stream.cancellation = stream_flag;
  stream.on_token = [&](const engine::StreamedToken&) { stream_tokens.fetch_add(1); };
  auto stream_result = SubmitOne(scheduler, std::move(stream));
  WaitForLive(scheduler, 1);

  // The long request: 16 sentences of 256 tokens, about 4,000 tokens of work.
  std::atomic<int> answered{0};
  std::atomic<int> long_answered_at{-1};
  std::atomic<int> tokens_at_long_end{0};
  std::promise<void> long_done;
  std::vector<WorkItem> long_items;
  auto remaining = std::make_shared<std::atomic<int>>(16);
  for (int i = 0; i < 16; ++i) {
    WorkItem item;
    item.kind = WorkItem::Kind::kEncode;
    item.source = RandomSource(rng, 256);
    item.on_done = [&, remaining](absl::StatusOr<ItemResult> result) {
      EXPECT_TRUE(result.ok()) << result.status();
      if (remaining->fetch_sub(1) == 1) {
        long_answered_at.store(answered.fetch_add(1));
        tokens_at_long_end.store(stream_tokens.load());
        long_done.set_value();
      }
    };
    long_items.push_back(std::move(item));
  }
  const int tokens_at_long_start = stream_tokens.load();
  ASSERT_TRUE(scheduler.Submit(std::move(long_items)).ok());
  // Submitted once the long request is being encoded.
  for (int i = 0; i < 10000 && scheduler.Stats().encoding_sentences == 0; ++i) {
    absl::SleepFor(absl::Microseconds(100));
  }
  WorkItem short_item = TranslateItem(RandomSource(rng, 3), Options(1, 3, /*ignore_eos=*/true));
  auto short_result = SubmitOne(scheduler, std::move(short_item));
  ASSERT_TRUE(short_result.get().ok());
  const int short_answered_at = answered.fetch_add(1);
  long_done.get_future().get();

  EXPECT_LT(short_answered_at, long_answered_at.load());
  // Hundreds of slices; the stream advanced at each of them until it ended.
  EXPECT_GE(tokens_at_long_end.load() - tokens_at_long_start, 50);
  const SchedulerStats stats = scheduler.Stats();
  EXPECT_LE(stats.max_encoder_tokens_in_a_step, 4.0);
  EXPECT_GT(stats.encoder_slices, 500);
  // (The stream may have reached its 250 tokens by now.)
  stream_flag->Cancel();
  const absl::StatusCode stream_code = stream_result.get().status().code();
  EXPECT_TRUE(stream_code == absl::StatusCode::kOk || stream_code == absl::StatusCode::kCancelled)
      << stream_code;
}

// A sentence whose caller goes away while it is being encoded is answered at
// once and its encoding stops; the rest of its batch goes on.
TEST_F(SchedulerTest, CancelledWhileEncodingIsAnsweredAndTheRestGoesOn) {
  SchedulerOptions options;
  options.max_encoder_tokens_per_step = 2;
  Scheduler scheduler(*model_, options);
  std::mt19937 rng(14);
  auto flag = std::make_shared<CancellationFlag>();
  std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
  std::vector<WorkItem> items;
  for (int i = 0; i < 4; ++i) {
    WorkItem item = TranslateItem(RandomSource(rng, 200), Options(1, 4));
    if (i == 0) item.cancellation = flag;
    futures.push_back(SubmitOne(scheduler, std::move(item)));
  }
  for (int i = 0; i < 10000 && scheduler.Stats().encoding_sentences == 0; ++i) {
    absl::SleepFor(absl::Microseconds(100));
  }
  flag->Cancel();
  EXPECT_EQ(futures[0].get().status().code(), absl::StatusCode::kCancelled);
  for (int i = 1; i < 4; ++i) EXPECT_TRUE(futures[i].get().ok());
  WaitForLive(scheduler, 0);
  const SchedulerStats stats = scheduler.Stats();
  EXPECT_EQ(stats.dropped_cancelled, 1);
  EXPECT_EQ(stats.live_rows, 0);
  EXPECT_EQ(stats.encoding_sentences, 0);
}

// The live-set size the scheduler last reported (what the gauges show).
class LiveSetObserver : public SchedulerObserver {
 public:
  void OnLiveSet(int rows, int sequences) override {
    rows_ = rows;
    sequences_ = sequences;
  }
  int rows() const { return rows_; }
  int sequences() const { return sequences_; }

 private:
  std::atomic<int> rows_{-1};
  std::atomic<int> sequences_{-1};
};

// Cancelled sentences leave the live set after a decoder step; the gauges
// must say so even though nothing runs afterwards.
TEST_F(SchedulerTest, LiveSetGaugesReadZeroAfterTheLastCancellation) {
  LiveSetObserver observer;
  Scheduler scheduler(*model_, SchedulerOptions{}, &observer);
  std::mt19937 rng(15);
  std::vector<std::shared_ptr<CancellationFlag>> flags;
  std::vector<std::future<absl::StatusOr<ItemResult>>> futures;
  for (int i = 0; i < 6; ++i) {
    flags.push_back(std::make_shared<CancellationFlag>());
    WorkItem item = TranslateItem(RandomSource(rng, 6), Options(i % 2 == 0 ? 1 : 3, 250, true));
    item.cancellation = flags.back();
    item.on_token = [](const engine::StreamedToken&) { absl::SleepFor(absl::Milliseconds(1)); };
    futures.push_back(SubmitOne(scheduler, std::move(item)));
  }
  WaitForLive(scheduler, 6);
  for (auto& flag : flags) flag->Cancel();
  for (auto& f : futures) EXPECT_EQ(f.get().status().code(), absl::StatusCode::kCancelled);
  for (int i = 0; i < 1000 && (observer.sequences() != 0 || observer.rows() != 0); ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(observer.sequences(), 0);
  EXPECT_EQ(observer.rows(), 0);
}

// gRPC cancels a call when its deadline passes: a cancelled item whose
// deadline has passed is a deadline expiry, not a cancellation.
TEST_F(SchedulerTest, CancellationAtTheDeadlineCountsAsTheDeadline) {
  SchedulerOptions options;
  options.max_live_rows = 1;
  Scheduler scheduler(*model_, options);
  std::mt19937 rng(16);
  auto blocker = SubmitOne(scheduler, Blocker(rng));
  WaitForLive(scheduler, 1);

  auto expired_flag = std::make_shared<CancellationFlag>();
  WorkItem expired = TranslateItem(RandomSource(rng, 5), Options(1, 3));
  expired.deadline = absl::Now() + absl::Milliseconds(30);
  expired.cancellation = expired_flag;
  auto cancelled_flag = std::make_shared<CancellationFlag>();
  WorkItem cancelled = TranslateItem(RandomSource(rng, 5), Options(1, 3));
  cancelled.deadline = absl::Now() + absl::Seconds(60);
  cancelled.cancellation = cancelled_flag;
  auto expired_result = SubmitOne(scheduler, std::move(expired));
  auto cancelled_result = SubmitOne(scheduler, std::move(cancelled));
  absl::SleepFor(absl::Milliseconds(40));
  // As gRPC does once the deadline passed, and as a client does.
  expired_flag->Cancel();
  cancelled_flag->Cancel();
  EXPECT_EQ(expired_result.get().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(cancelled_result.get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(scheduler.Stats().dropped_deadline, 1);
  EXPECT_EQ(scheduler.Stats().dropped_cancelled, 1);
  EXPECT_TRUE(blocker.get().ok());
}

// The sentences of one request, of different lengths and each encoded in a
// task of its own that ends at its own time, join the live set at the same
// decoder step, after steps ran while they were encoded; each gives exactly
// the tokens it gives alone. Also unsliced and with static batching.
TEST_F(SchedulerTest, SentencesOfOneRequestJoinTheDecoderTogether) {
  std::mt19937 rng(17);
  std::vector<std::vector<int32_t>> sources;
  for (int length : {200, 37, 120, 5, 250, 80}) sources.push_back(RandomSource(rng, length));
  const engine::DecodingOptions options = Options(1, 12);

  struct Mode {
    int64_t budget;
    bool static_batching;
  };
  for (Mode mode : {Mode{4, false}, Mode{0, false}, Mode{4, true}}) {
    SCOPED_TRACE(::testing::Message()
                 << "budget " << mode.budget << " static " << mode.static_batching);
    SchedulerOptions scheduler_options;
    scheduler_options.max_encoder_tokens_per_step = mode.budget;
    scheduler_options.encoder_budget_follows_step = false;
    scheduler_options.static_batching = mode.static_batching;
    Scheduler scheduler(*model_, scheduler_options);
    // With continuous batching, a stream decodes meanwhile, so decoder steps
    // run while the request's sentences are encoded.
    std::optional<std::future<absl::StatusOr<ItemResult>>> blocker;
    if (!mode.static_batching) {
      blocker = SubmitOne(scheduler, Blocker(rng));
      WaitForLive(scheduler, 1);
    }
    const int64_t steps_before = scheduler.Stats().steps;

    std::vector<WorkItem> items;
    for (const auto& source : sources) items.push_back(TranslateItem(source, options));
    auto futures = SubmitRequest(scheduler, std::move(items));
    std::vector<ItemResult> results;
    for (auto& future : futures) {
      auto result = future.get();
      ASSERT_TRUE(result.ok()) << result.status();
      results.push_back(*std::move(result));
    }

    for (size_t i = 0; i < sources.size(); ++i) {
      EXPECT_EQ(results[i].trace.joined_at_step, results[0].trace.joined_at_step)
          << "sentence " << i << " (" << sources[i].size() << " tokens)";
      auto alone = model_->Translate({sources[i]}, options);
      ASSERT_TRUE(alone.ok());
      EXPECT_EQ(results[i].translation.hypotheses[0].ids, (*alone)[0].hypotheses[0].ids)
          << "sentence " << i;
      EXPECT_EQ(results[i].translation.hypotheses[0].score, (*alone)[0].hypotheses[0].score)
          << "sentence " << i;
    }
    if (mode.budget > 0) {
      EXPECT_GE(scheduler.Stats().encoder_tasks, static_cast<int64_t>(sources.size()));
    }
    if (blocker) {
      EXPECT_GT(results[0].trace.joined_at_step, steps_before);
      EXPECT_TRUE(blocker->get().ok());
    }
    WaitForLive(scheduler, 0);
    const SchedulerStats stats = scheduler.Stats();
    EXPECT_EQ(stats.held_sentences, 0);
    EXPECT_EQ(stats.live_rows, 0);
  }
}

// A stream item and a request of one sentence, submitted while a long
// request of several sentences is being encoded, join the live set as soon
// as they are encoded: before the long request's sentences.
TEST_F(SchedulerTest, StreamsAndSingleSentencesJoinWithoutWaiting) {
  SchedulerOptions options;
  options.max_encoder_tokens_per_step = 4;
  options.encoder_budget_follows_step = false;
  options.max_queue_delay = absl::ZeroDuration();
  Scheduler scheduler(*model_, options);
  std::mt19937 rng(18);
  // Makes each loop iteration last a millisecond or more: the long request
  // takes hundreds of milliseconds to encode.
  auto blocker = SubmitOne(scheduler, Blocker(rng));
  WaitForLive(scheduler, 1);

  std::vector<WorkItem> long_items;
  for (int i = 0; i < 4; ++i) {
    long_items.push_back(TranslateItem(RandomSource(rng, 250), Options(1, 4)));
  }
  auto long_futures = SubmitRequest(scheduler, std::move(long_items));
  for (int i = 0; i < 10000 && scheduler.Stats().encoding_sentences == 0; ++i) {
    absl::SleepFor(absl::Microseconds(100));
  }

  auto single = SubmitOne(scheduler, TranslateItem(RandomSource(rng, 3), Options(1, 3, true)));
  WorkItem stream_item = TranslateItem(RandomSource(rng, 4), Options(1, 20, true));
  std::atomic<int> stream_tokens{0};
  stream_item.on_token = [&](const engine::StreamedToken&) { stream_tokens.fetch_add(1); };
  auto stream = SubmitOne(scheduler, std::move(stream_item));

  auto single_result = single.get();
  auto stream_result = stream.get();
  ASSERT_TRUE(single_result.ok()) << single_result.status();
  ASSERT_TRUE(stream_result.ok()) << stream_result.status();
  EXPECT_EQ(stream_tokens.load(), 20);
  for (auto& future : long_futures) {
    auto result = future.get();
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_LT(single_result->trace.joined_at_step, result->trace.joined_at_step);
    EXPECT_LT(stream_result->trace.joined_at_step, result->trace.joined_at_step);
  }
  EXPECT_TRUE(blocker.get().ok());
}

// A sentence held for the rest of its request is still dropped when its
// caller cancels or its deadline passes; the request's other sentences go
// on, join together and complete.
TEST_F(SchedulerTest, HeldSentenceIsDroppedAtCancellationOrDeadline) {
  Scheduler scheduler(*model_, SlowEncoding());
  std::mt19937 rng(19);
  // Makes each loop iteration last a millisecond or more: the long
  // sentences take hundreds of milliseconds to encode.
  auto blocker = SubmitOne(scheduler, Blocker(rng));
  WaitForLive(scheduler, 1);

  auto cancelled_flag = std::make_shared<CancellationFlag>();
  std::vector<std::vector<int32_t>> sources;
  for (int length : {5, 6, 250, 200}) sources.push_back(RandomSource(rng, length));
  std::vector<WorkItem> items;
  for (const auto& source : sources) items.push_back(TranslateItem(source, Options(1, 8)));
  items[0].cancellation = cancelled_flag;
  items[1].deadline = absl::Now() + absl::Milliseconds(200);
  auto futures = SubmitRequest(scheduler, std::move(items));

  WaitForHeld(scheduler, 2);  // the two short ones
  cancelled_flag->Cancel();
  EXPECT_EQ(futures[0].get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(futures[1].get().status().code(), absl::StatusCode::kDeadlineExceeded);
  // Answered while the long ones were still being encoded.
  EXPECT_GT(scheduler.Stats().encoding_sentences, 0);

  auto first = futures[2].get();
  auto second = futures[3].get();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->trace.joined_at_step, second->trace.joined_at_step);
  auto alone = model_->Translate({sources[2], sources[3]}, Options(1, 8));
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(first->translation.hypotheses[0].ids, (*alone)[0].hypotheses[0].ids);
  EXPECT_EQ(second->translation.hypotheses[0].ids, (*alone)[1].hypotheses[0].ids);
  EXPECT_TRUE(blocker.get().ok());

  WaitForLive(scheduler, 0);
  const SchedulerStats stats = scheduler.Stats();
  EXPECT_EQ(stats.dropped_cancelled, 1);
  EXPECT_EQ(stats.dropped_deadline, 1);
  EXPECT_EQ(stats.held_sentences, 0);
  EXPECT_EQ(stats.live_rows, 0);
}

// Stop() while sentences are held answers them UNAVAILABLE, like everything
// else still in the scheduler.
TEST_F(SchedulerTest, StopAnswersHeldSentencesUnavailable) {
  auto scheduler = std::make_unique<Scheduler>(*model_, SlowEncoding());
  std::mt19937 rng(20);
  auto blocker = SubmitOne(*scheduler, Blocker(rng));
  WaitForLive(*scheduler, 1);
  std::vector<WorkItem> items;
  for (int length : {5, 7, 250}) {
    items.push_back(TranslateItem(RandomSource(rng, length), Options(1, 8)));
  }
  auto futures = SubmitRequest(*scheduler, std::move(items));
  WaitForHeld(*scheduler, 2);

  scheduler->Stop();
  EXPECT_EQ(blocker.get().status().code(), absl::StatusCode::kUnavailable);
  for (auto& future : futures) {
    EXPECT_EQ(future.get().status().code(), absl::StatusCode::kUnavailable);
  }
  const SchedulerStats stats = scheduler->Stats();
  EXPECT_EQ(stats.dropped_shutdown, 4);
  EXPECT_EQ(stats.held_sentences, 0);
  EXPECT_EQ(stats.live_rows, 0);
}

// A request whose sentences need more decoder rows than the live set has
// cannot join all at once: its held sentences join when the rest could
// otherwise never leave the queue, and it completes (Drain finishes).
TEST_F(SchedulerTest, RequestLargerThanTheLiveSetCompletes) {
  SchedulerOptions options;
  options.max_live_rows = 4;
  options.max_encoder_tokens_per_step = 4;
  Scheduler scheduler(*model_, options);
  std::mt19937 rng(21);
  std::vector<std::vector<int32_t>> sources;
  for (int length : {30, 3, 60, 12, 45}) sources.push_back(RandomSource(rng, length));
  const engine::DecodingOptions decoding = Options(2, 10);
  std::vector<WorkItem> items;
  for (const auto& source : sources) items.push_back(TranslateItem(source, decoding));
  auto futures = SubmitRequest(scheduler, std::move(items));
  ASSERT_TRUE(scheduler.Drain(absl::Now() + absl::Seconds(60)));
  for (size_t i = 0; i < sources.size(); ++i) {
    auto result = futures[i].get();
    ASSERT_TRUE(result.ok()) << result.status();
    auto alone = model_->Translate({sources[i]}, decoding);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(result->translation.hypotheses[0].ids, (*alone)[0].hypotheses[0].ids)
        << "sentence " << i;
  }
  EXPECT_EQ(scheduler.Stats().held_sentences, 0);
}

}  // namespace
}  // namespace tserve::server

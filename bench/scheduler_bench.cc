// The batching scheduler over the engine, without gRPC, on a mixed-length
// workload (source lengths spread evenly over --min_length..--max_length
// tokens, each target as long as its source, EOS ignored so every run decodes
// the same tokens). Runs, on the same sentences:
//
//   sequential   one submitter, one sentence at a time (--sequential_sentences
//                of them, one from each length stratum: it is slow)
//   concurrent   --clients closed-loop submitters, continuous batching
//   static       the same, but a batch joins decoding only when the previous
//                batch has finished (every sentence waits for the longest)
//   ungrouped    concurrent without length grouping (padding comparison)
//
// and prints one JSON line per run plus the gains. With --repeats=N the
// sequential and concurrent runs alternate N times and the concurrency gain is
// the median of the N pairs (min and max printed too).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "engine/core/malloc_policy.h"
#include "engine/engine.h"
#include "server/batching/scheduler.h"

ABSL_FLAG(std::string, model_dir, "", "Hugging Face MarianMT model directory");
ABSL_FLAG(int, sentences, 256, "sentences per run");
ABSL_FLAG(int, min_length, 4, "shortest source, tokens");
ABSL_FLAG(int, max_length, 64, "longest source, tokens");
ABSL_FLAG(int, clients, 32, "concurrent submitters");
ABSL_FLAG(int, max_batch_size, 32, "scheduler max_batch_size");
ABSL_FLAG(int, max_live_rows, 64, "scheduler max_live_rows");
ABSL_FLAG(absl::Duration, max_queue_delay, absl::Milliseconds(5), "scheduler max_queue_delay");
ABSL_FLAG(int, sequential_sentences, 32, "sentences of the sequential run (it is slow)");
ABSL_FLAG(int, threads, 0, "intra-op threads (0 = all cores)");
ABSL_FLAG(int, max_encoder_tokens_per_step, 32,
          "scheduler max_encoder_tokens_per_step (0: whole batches at once)");
ABSL_FLAG(std::string, compute_type, "float32", "float32, bfloat16 or int8");
ABSL_FLAG(int, repeats, 1, "(sequential, concurrent) pairs; the gain printed is their median");
ABSL_FLAG(bool, concurrent_only, false,
          "run only the concurrent run (for profiling); no gains are printed");

namespace {

using tserve::server::ItemResult;
using tserve::server::Scheduler;
using tserve::server::SchedulerOptions;
using tserve::server::WorkItem;
using Clock = std::chrono::steady_clock;

struct RunResult {
  std::string name;
  int sentences = 0;
  int64_t target_tokens = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0;
  double padding_ratio = 0;
  double mean_source_tokens = 0;
  double sentences_per_s() const { return sentences / seconds; }
};

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

RunResult Run(const std::string& name, const tserve::engine::TranslationModel& model,
              const std::vector<std::vector<int32_t>>& sources, int clients,
              SchedulerOptions options) {
  Scheduler scheduler(model, options);
  std::atomic<size_t> next{0};
  absl::Mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<int64_t> tokens{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < sources.size(); i = next++) {
        WorkItem item;
        item.source = sources[i];
        item.decoding.max_length = static_cast<int>(sources[i].size());
        item.decoding.ignore_eos = true;
        std::promise<absl::StatusOr<ItemResult>> done;
        item.on_done = [&done](absl::StatusOr<ItemResult> r) { done.set_value(std::move(r)); };
        const auto sent = Clock::now();
        std::vector<WorkItem> items;
        items.push_back(std::move(item));
        absl::Status admitted = scheduler.Submit(std::move(items));
        if (!admitted.ok()) {
          std::cerr << "scheduler_bench: " << admitted << "\n";
          std::exit(1);
        }
        auto result = done.get_future().get();
        if (!result.ok()) {
          std::cerr << "scheduler_bench: " << result.status() << "\n";
          std::exit(1);
        }
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        tokens += static_cast<int64_t>(result->translation.hypotheses[0].token_scores.size());
        absl::MutexLock lock(&mutex);
        latencies_ms.push_back(ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  RunResult r;
  r.name = name;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.sentences = static_cast<int>(sources.size());
  r.target_tokens = tokens.load();
  r.p50_ms = Percentile(latencies_ms, 0.5);
  r.p99_ms = Percentile(latencies_ms, 0.99);
  const auto stats = scheduler.Stats();
  r.padding_ratio =
      static_cast<double>(stats.padded_tokens) / static_cast<double>(stats.real_tokens);
  r.mean_source_tokens = static_cast<double>(stats.real_tokens) / static_cast<double>(r.sentences);
  std::cout << absl::StrFormat(
                   "{\"run\": \"%s\", \"clients\": %d, \"sentences\": %d, \"target_tokens\": %d, "
                   "\"mean_source_tokens\": %.2f, "
                   "\"seconds\": %.3f, \"sentences_per_s\": %.2f, \"target_tokens_per_s\": %.1f, "
                   "\"latency_p50_ms\": %.1f, \"latency_p99_ms\": %.1f, \"padding_ratio\": %.3f, "
                   "\"batches\": %d, \"steps\": %d}",
                   r.name, clients, r.sentences, r.target_tokens, r.mean_source_tokens, r.seconds,
                   r.sentences_per_s(), r.target_tokens / r.seconds, r.p50_ms, r.p99_ms,
                   r.padding_ratio, stats.batches, stats.steps)
            << std::endl;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  tserve::engine::UseFixedMallocThresholds();
  absl::ParseCommandLine(argc, argv);
  std::optional<tserve::engine::ComputeType> compute_type =
      tserve::engine::ParseComputeType(absl::GetFlag(FLAGS_compute_type));
  if (!compute_type) {
    std::cerr << "scheduler_bench: unknown --compute_type\n";
    return 2;
  }
  tserve::engine::LoadOptions load_options;
  load_options.compute_type = *compute_type;
  load_options.threads = absl::GetFlag(FLAGS_threads);
  auto model = tserve::engine::TranslationModel::Load(absl::GetFlag(FLAGS_model_dir), load_options);
  if (!model.ok()) {
    std::cerr << "scheduler_bench: " << model.status() << "\n";
    return 1;
  }
  const auto& config = (*model)->config();
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> id(2, static_cast<int32_t>(config.vocab_size) - 2);
  // Source lengths spread evenly over [min_length, max_length], the tokens
  // random. The sequential run takes every k-th sentence of that spread, so
  // both runs see the same length distribution: 32 random draws from it vary
  // in mean by ±2 tokens, which alone moves the gain by ~10 %. The concurrent
  // runs submit the sentences shuffled.
  const int min_length = absl::GetFlag(FLAGS_min_length);
  const int max_length = absl::GetFlag(FLAGS_max_length);
  const int count = absl::GetFlag(FLAGS_sentences);
  std::vector<std::vector<int32_t>> sources;
  for (int i = 0; i < count; ++i) {
    const int n = min_length +
                  static_cast<int>(static_cast<int64_t>(i) * (max_length - min_length + 1) / count);
    std::vector<int32_t> s;
    for (int t = 0; t + 1 < n; ++t) s.push_back(id(rng));
    s.push_back(static_cast<int32_t>(config.eos_token_id));
    sources.push_back(std::move(s));
  }
  std::vector<std::vector<int32_t>> sequential_sources;
  const size_t sequential_count = std::min<size_t>(
      sources.size(), static_cast<size_t>(absl::GetFlag(FLAGS_sequential_sentences)));
  for (size_t i = 0; i < sequential_count; ++i) {
    // The middle of each of sequential_count equal strata.
    sequential_sources.push_back(sources[(2 * i + 1) * sources.size() / (2 * sequential_count)]);
  }
  std::shuffle(sources.begin(), sources.end(), rng);

  SchedulerOptions options;
  options.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  options.max_live_rows = absl::GetFlag(FLAGS_max_live_rows);
  options.max_queue_delay = absl::GetFlag(FLAGS_max_queue_delay);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.max_encoder_tokens_per_step = absl::GetFlag(FLAGS_max_encoder_tokens_per_step);
  const int clients = absl::GetFlag(FLAGS_clients);

  if (absl::GetFlag(FLAGS_concurrent_only)) {
    Run("concurrent", **model, sources, clients, options);
    return 0;
  }
  // The machine's speed drifts by 10–25 % within a minute, so the gain is the
  // median of --repeats (sequential, concurrent) pairs run back to back.
  std::vector<double> gains;
  RunResult concurrent;  // the last pair's, for the static and padding comparisons
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_repeats)); ++i) {
    const RunResult sequential = Run("sequential", **model, sequential_sources, 1, options);
    concurrent = Run("concurrent", **model, sources, clients, options);
    gains.push_back(concurrent.sentences_per_s() / sequential.sentences_per_s());
  }
  SchedulerOptions static_options = options;
  static_options.static_batching = true;
  const RunResult static_run = Run("static", **model, sources, clients, static_options);
  SchedulerOptions ungrouped_options = options;
  ungrouped_options.group_by_length = false;
  const RunResult ungrouped = Run("ungrouped", **model, sources, clients, ungrouped_options);

  std::cout << absl::StrFormat(
                   "{\"concurrency_gain\": %.2f, \"concurrency_gain_min\": %.2f, "
                   "\"concurrency_gain_max\": %.2f, \"continuous_vs_static_gain\": %.2f, "
                   "\"padding_ratio_grouped\": %.3f, \"padding_ratio_ungrouped\": %.3f}",
                   Percentile(gains, 0.5), *std::min_element(gains.begin(), gains.end()),
                   *std::max_element(gains.begin(), gains.end()),
                   concurrent.sentences_per_s() / static_run.sentences_per_s(),
                   concurrent.padding_ratio, ungrouped.padding_ratio)
            << std::endl;
  return 0;
}

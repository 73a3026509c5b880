// ops_bench: the matrix product at the model's shapes, tserve's
// batch-invariant Linear in every compute type and on every instruction set
// this CPU runs, against oneDNN's float32 matmul in the same process.
//
//   build/release/bench/ops_bench --benchmark_counters_tabular=true
//   build/release/bench/ops_bench --benchmark_filter='BM_Linear/.*/type:2/isa:1'
//
// Each case is y[M, N] = x[M, K] · Wᵀ; the counter GFLOPS is 2·M·N·K per
// second. Shapes: the fused q/k/v projection (1536×512), the FFN (2048×512
// and 512×2048) and the tied output projection of an OPUS-MT model
// (58101×512), the demo model's (d 256: 768×256, 1024×256, 256×1024,
// 8000×256), at decoder-step row counts (1–128; 28 is the scheduler
// benchmark's usual live set) and an encoder batch (768).
// type: 0 float32, 1 bfloat16, 2 int8; isa: 0 AVX2, 1 AVX-512. BM_Attention
// times one layer's attention for a decoder step, BM_GreedyScores greedy
// search's pass over a step's logits.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "engine/core/dnnl_context.h"
#include "engine/ops/attention.h"
#include "engine/ops/best_token.h"
#include "engine/ops/linear.h"
#include "engine/ops/log_softmax.h"
#include "engine/ops/vector_math.h"

namespace {

using tserve::engine::ComputeType;
using tserve::engine::Epilogue;
using tserve::engine::Linear;
namespace gemm = tserve::engine::gemm;

std::vector<float> RandomValues(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-0.1f, 0.1f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

void SetFlops(benchmark::State& state, int64_t m, int64_t n, int64_t k) {
  state.counters["GFLOPS"] = benchmark::Counter(
      static_cast<double>(2 * m * n * k) * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}

// Arguments: {M, N, K, type, isa}.
void BM_Linear(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const auto type = static_cast<ComputeType>(state.range(3));
  const auto isa = static_cast<gemm::Isa>(state.range(4));
  if (!gemm::CpuSupports(isa)) {
    state.SkipWithError("instruction set not supported by this CPU");
    return;
  }
  const Linear linear(RandomValues(n * k, 1), {}, k, n, Epilogue::kNone, type,
                      &gemm::KernelsFor(isa));
  const std::vector<float> x = RandomValues(m * k, 2);
  std::vector<float> y(static_cast<size_t>(m * n));
  for (auto _ : state) {
    linear.Forward(x.data(), m, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  SetFlops(state, m, n, k);
}

void BM_OnednnMatmul(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  using dnnl::memory;
  const auto& engine = tserve::engine::CpuEngine();
  auto& stream = tserve::engine::ThreadStream();
  const memory::desc x_md({m, k}, memory::data_type::f32, memory::format_tag::ab);
  const memory::desc w_any({k, n}, memory::data_type::f32, memory::format_tag::any);
  const memory::desc y_md({m, n}, memory::data_type::f32, memory::format_tag::ab);
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(x_md, w_any, y_md), engine);
  // Weights reordered once into oneDNN's preferred layout, as a server would.
  std::vector<float> w_plain = RandomValues(n * k, 1);
  memory w_src({{k, n}, memory::data_type::f32, memory::format_tag::ba}, engine, w_plain.data());
  memory w(pd.weights_desc(), engine);
  dnnl::reorder(w_src, w).execute(stream, w_src, w);
  std::vector<float> x = RandomValues(m * k, 2);
  std::vector<float> y(static_cast<size_t>(m * n));
  memory x_mem(x_md, engine, x.data()), y_mem(y_md, engine, y.data());
  const dnnl::matmul matmul(pd);
  for (auto _ : state) {
    matmul.execute(stream, {{DNNL_ARG_SRC, x_mem}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y_mem}});
    stream.wait();
    benchmark::DoNotOptimize(y.data());
  }
  SetFlops(state, m, n, k);
}

void ShapesOf(benchmark::internal::Benchmark* b, const std::vector<int64_t>& extra) {
  for (int64_t m : {1, 4, 16, 28, 32, 64, 128, 768}) {
    for (std::vector<int64_t> shape : std::vector<std::vector<int64_t>>{
             {m, 1536, 512}, {m, 2048, 512}, {m, 512, 2048}, {m, 58101, 512},
             // the demo model's (d 256, feed-forward 1024, vocabulary 8000)
             {m, 768, 256}, {m, 1024, 256}, {m, 256, 1024}, {m, 8000, 256}}) {
      if (shape[1] == 58101 && m > 128) continue;
      shape.insert(shape.end(), extra.begin(), extra.end());
      b->Args(shape);
    }
  }
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

void LinearShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "K", "type", "isa"});
  for (int64_t isa : {0, 1, 2}) {
    for (int64_t type : {0, 1, 2}) ShapesOf(b, {type, isa});
  }
}

void MatmulShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "K"});
  ShapesOf(b, {});
}

// One decoder step's attention in one layer: `rows` query rows, each over its
// own `length` key/value rows (a cache of [length][2 · 512], keys then
// values, as SelfAttentionCache and SourceMemory lay them out), 8 heads of 64.
// The counter GB/s is the keys and values read per second.
void BM_Attention(benchmark::State& state) {
  const int64_t rows = state.range(0), length = state.range(1);
  constexpr int64_t kHeads = 8, kHeadDim = 64, kD = kHeads * kHeadDim;
  const std::vector<float> queries = RandomValues(rows * kD, 1);
  const std::vector<float> caches = RandomValues(rows * length * 2 * kD, 2);
  std::vector<float> out(static_cast<size_t>(rows * kD));
  std::vector<tserve::engine::AttentionTask> tasks;
  for (int64_t r = 0; r < rows; ++r) {
    const float* cache = caches.data() + r * length * 2 * kD;
    tasks.push_back(
        {queries.data() + r * kD, cache, cache + kD, 2 * kD, length, out.data() + r * kD});
  }
  for (auto _ : state) {
    tserve::engine::MultiHeadAttention(tasks, kHeads, kHeadDim);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(rows * length * 2 * kD * sizeof(float)) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate);
}

// What greedy search does with a step's logits, [rows, 58101]: arg 0 = 0
// normalises every row in place (oneDNN's log-softmax) and then takes each
// row's arg max, 1 = FindBestTokens (each row's best token and log-sum-exp,
// nothing written back). The logits are restored before each iteration
// (untimed), as each step brings new ones.
void BM_GreedyScores(benchmark::State& state) {
  const int64_t rows = state.range(0), width = 58101;
  const bool fused = state.range(1) == 1;
  const std::vector<float> logits = RandomValues(rows * width, 3);
  std::vector<float> work = logits;
  std::vector<tserve::engine::BestToken> best(static_cast<size_t>(rows));
  const tserve::engine::LogSoftmax log_softmax(width);
  for (auto _ : state) {
    state.PauseTiming();
    std::copy(logits.begin(), logits.end(), work.begin());
    state.ResumeTiming();
    if (fused) {
      tserve::engine::FindBestTokens(work.data(), rows, width, best.data());
    } else {
      log_softmax.ForwardInPlace(work.data(), rows);
      for (int64_t r = 0; r < rows; ++r) {
        best[r].id = static_cast<int32_t>(tserve::engine::ArgMax(work.data() + r * width, width));
      }
    }
    benchmark::DoNotOptimize(best.data());
  }
}

BENCHMARK(BM_Linear)->Apply(LinearShapes);
BENCHMARK(BM_GreedyScores)
    ->ArgNames({"rows", "best_token"})
    ->ArgsProduct({{1, 28}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_Attention)
    ->ArgNames({"rows", "length"})
    ->ArgsProduct({{1, 28, 128}, {16, 32, 128}})
    ->UseRealTime();
BENCHMARK(BM_OnednnMatmul)->Apply(MatmulShapes);

}  // namespace

BENCHMARK_MAIN();

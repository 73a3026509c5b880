// ops_bench: the float32 matrix product at the model's shapes, tserve's
// batch-invariant Linear against oneDNN's matmul in the same process.
//
//   build/release/bench/ops_bench --benchmark_counters_tabular=true
//
// Each case is y[M, N] = x[M, K] · Wᵀ; the counter GFLOPS is 2·M·N·K per
// second. Shapes: the fused q/k/v projection (1536×512), the FFN (2048×512
// and 512×2048) and the tied output projection of an OPUS-MT model
// (58101×512), at decoder-step row counts (1–128) and an encoder batch (768).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "engine/core/dnnl_context.h"
#include "engine/ops/linear.h"

namespace {

using tserve::engine::Epilogue;
using tserve::engine::Linear;

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

// Arguments: {M, N, K}.
void BM_Linear(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const Linear linear(RandomValues(n * k, 1), {}, k, n, Epilogue::kNone);
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

void Shapes(benchmark::internal::Benchmark* b) {
  for (int64_t m : {1, 4, 16, 32, 64, 128, 768}) {
    b->Args({m, 1536, 512});
    b->Args({m, 2048, 512});
    b->Args({m, 512, 2048});
    if (m <= 128) b->Args({m, 58101, 512});
  }
  b->ArgNames({"M", "N", "K"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_Linear)->Apply(Shapes);
BENCHMARK(BM_OnednnMatmul)->Apply(Shapes);

}  // namespace

BENCHMARK_MAIN();

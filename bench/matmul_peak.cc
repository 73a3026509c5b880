// matmul_peak: the machine's matrix-multiply peak per data type, measured
// with oneDNN's matmul on a large, square-ish problem (by default M = 2048
// rows, K = 512, N = 2048: an encoder batch through an FFN layer).
// bench/compare.sh reports the encoder's throughput as a fraction of these;
// other shapes (--m, --n, --k) compare oneDNN with the engine's kernels
// (ops_bench) on the shapes of a decoder step.
//
//   build/release/bench/matmul_peak [--seconds=1] [--m=2048 --n=2048 --k=512]
//
// Prints one JSON line per type: {"type": "bfloat16", "available": true,
// "gflops": 123.4, "implementation": "..."}. A type oneDNN cannot run on this
// CPU is reported with "available": false.

#include <chrono>
#include <iostream>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "engine/core/dnnl_context.h"

ABSL_FLAG(double, seconds, 1.0, "time spent on each type");
ABSL_FLAG(int64_t, m, 2048, "rows of the input");
ABSL_FLAG(int64_t, n, 2048, "output columns");
ABSL_FLAG(int64_t, k, 512, "depth");

namespace {

using dnnl::memory;

struct TypeCase {
  std::string name;
  memory::data_type src, weights, dst;
};

void Measure(const TypeCase& c) {
  const int64_t m = absl::GetFlag(FLAGS_m), k = absl::GetFlag(FLAGS_k), n = absl::GetFlag(FLAGS_n);
  const auto& engine = tserve::engine::CpuEngine();
  auto& stream = tserve::engine::ThreadStream();
  const memory::desc src_md({m, k}, c.src, memory::format_tag::ab);
  const memory::desc weights_md({k, n}, c.weights, memory::format_tag::any);
  const memory::desc dst_md({m, n}, c.dst, memory::format_tag::ab);
  dnnl::matmul::primitive_desc pd;
  try {
    pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, weights_md, dst_md), engine);
  } catch (const dnnl::error& e) {
    std::cout << absl::StrFormat("{\"type\": \"%s\", \"available\": false, \"reason\": \"%s\"}",
                                 c.name, e.what())
              << std::endl;
    return;
  }
  // Contents do not change the speed; zeroed buffers of the right sizes.
  memory src(pd.src_desc(), engine), weights(pd.weights_desc(), engine), dst(pd.dst_desc(), engine);
  std::fill_n(static_cast<char*>(src.get_data_handle()), pd.src_desc().get_size(), 0);
  std::fill_n(static_cast<char*>(weights.get_data_handle()), pd.weights_desc().get_size(), 0);
  const dnnl::matmul matmul(pd);
  const auto run = [&] {
    matmul.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
    stream.wait();
  };
  run();  // warm-up
  int64_t calls = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < absl::GetFlag(FLAGS_seconds)) {
    run();
    ++calls;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double gflops = 2.0 * m * n * k * calls / elapsed / 1e9;
  std::cout << absl::StrFormat(
                   "{\"type\": \"%s\", \"available\": true, \"gflops\": %.1f, "
                   "\"implementation\": \"%s\"}",
                   c.name, gflops, pd.impl_info_str())
            << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using dt = memory::data_type;
  for (const TypeCase& c : {TypeCase{"float32", dt::f32, dt::f32, dt::f32},
                            TypeCase{"bfloat16", dt::bf16, dt::bf16, dt::f32},
                            TypeCase{"int8", dt::u8, dt::s8, dt::s32}}) {
    Measure(c);
  }
  return 0;
}

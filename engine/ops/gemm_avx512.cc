// AVX-512 micro-kernels (compiled with -mavx512f/bw/dq/vl/vnni, called only
// where the CPU has them): panels of 32 columns (two 16-lane vectors),
// tiles of up to 14 rows (28 accumulators, 2 weight vectors and a broadcast
// in the 32 registers; the rows come packed, so one pointer reads them all).
// int8 runs on VPDPBUSD (four u8·s8 products
// per lane into int32, no saturation). bfloat16 weights are widened and
// multiplied on the float32 kernel: VDPBF16PS would also round the
// activations, for no gain in speed where it issues at half the FMA rate
// (measured on Sapphire Rapids without AMX: 160 vs 277 GFLOP/s at 768×2048×512).
#include <immintrin.h>

#include <algorithm>

#include "engine/ops/gemm_kernels.h"

namespace tserve::engine::gemm {
namespace {

constexpr int64_t kWidth = 32;
constexpr int64_t kRows = 14;

inline int32_t LoadFour(const void* p) {
  int32_t four;
  __builtin_memcpy(&four, p, sizeof four);
  return four;
}

// Runs step(k) for k < steps while asking for the lines of `ahead` to be
// brought into L2, in order: one per step, or two (a pair of neighbours, as
// the L2's own prefetcher fetches them) on the first steps where there are
// more lines than steps. One line per step spreads a slice's requests
// over all its tiles' work (Linear gives each tile a share); asking for the
// whole next slice during the first tile alone measured ~15 % slower on
// weights streamed from memory, the requests queueing behind each other.
// Three loops rather than a test per step: GCC drops a prefetch guarded by a
// test on the loop counter.
template <typename Step>
[[gnu::always_inline]] inline void StepsWithPrefetch(int64_t steps, const Prefetch& ahead,
                                                     Step&& step) {
  const char* lines = ahead.begin;
  const int64_t count = lines == nullptr ? 0 : ahead.lines;
  const int64_t two_lines = std::clamp<int64_t>(count - steps, 0, steps);
  const int64_t one_line = std::min(count, steps);
  int64_t k = 0;
  for (; k < two_lines; ++k) {
    _mm_prefetch(lines + 128 * k, _MM_HINT_T1);
    _mm_prefetch(lines + 128 * k + 64, _MM_HINT_T1);
    step(k);
  }
  for (; k < one_line; ++k) {
    _mm_prefetch(lines + 64 * (k + two_lines), _MM_HINT_T1);
    step(k);
  }
  for (; k < steps; ++k) step(k);
}

// The loops over rows have constant bounds and are fully unrolled, so the
// accumulators live in registers.
template <int kTileRows>
void FloatTile(const float* x, const float* panel, int64_t depth, float* acc, Prefetch ahead) {
  __m512 a0[kTileRows], a1[kTileRows];
#pragma GCC unroll 14
  for (int r = 0; r < kTileRows; ++r) {
    a0[r] = _mm512_loadu_ps(acc + r * kWidth);
    a1[r] = _mm512_loadu_ps(acc + r * kWidth + 16);
  }
  StepsWithPrefetch(depth, ahead, [&](int64_t k) [[gnu::always_inline]] {
    const __m512 w0 = _mm512_loadu_ps(panel + k * kWidth);
    const __m512 w1 = _mm512_loadu_ps(panel + k * kWidth + 16);
#pragma GCC unroll 14
    for (int r = 0; r < kTileRows; ++r) {
      const __m512 b = _mm512_set1_ps(x[k * kTileRows + r]);
      a0[r] = _mm512_fmadd_ps(b, w0, a0[r]);
      a1[r] = _mm512_fmadd_ps(b, w1, a1[r]);
    }
  });
#pragma GCC unroll 14
  for (int r = 0; r < kTileRows; ++r) {
    _mm512_storeu_ps(acc + r * kWidth, a0[r]);
    _mm512_storeu_ps(acc + r * kWidth + 16, a1[r]);
  }
}

template <int kTileRows>
void Int8Tile(const uint8_t* x, const int8_t* panel, int64_t quads, int32_t* acc, Prefetch ahead) {
  __m512i a0[kTileRows], a1[kTileRows];
#pragma GCC unroll 14
  for (int r = 0; r < kTileRows; ++r) {
    a0[r] = _mm512_loadu_si512(acc + r * kWidth);
    a1[r] = _mm512_loadu_si512(acc + r * kWidth + 16);
  }
  StepsWithPrefetch(quads, ahead, [&](int64_t q) [[gnu::always_inline]] {
    const int8_t* w = panel + q * kWidth * 4;
    const __m512i w0 = _mm512_loadu_si512(w);
    const __m512i w1 = _mm512_loadu_si512(w + 64);
#pragma GCC unroll 14
    for (int r = 0; r < kTileRows; ++r) {
      const __m512i b = _mm512_set1_epi32(LoadFour(x + 4 * (q * kTileRows + r)));
      a0[r] = _mm512_dpbusd_epi32(a0[r], b, w0);
      a1[r] = _mm512_dpbusd_epi32(a1[r], b, w1);
    }
  });
#pragma GCC unroll 14
  for (int r = 0; r < kTileRows; ++r) {
    _mm512_storeu_si512(acc + r * kWidth, a0[r]);
    _mm512_storeu_si512(acc + r * kWidth + 16, a1[r]);
  }
}

// One instantiation per row count, so a short tile (a decoder step of a few
// rows) costs what its rows cost.
#define TSERVE_TILE_CASES(fn, ...) \
  switch (rows) {                  \
    case 1:                        \
      return fn<1>(__VA_ARGS__);   \
    case 2:                        \
      return fn<2>(__VA_ARGS__);   \
    case 3:                        \
      return fn<3>(__VA_ARGS__);   \
    case 4:                        \
      return fn<4>(__VA_ARGS__);   \
    case 5:                        \
      return fn<5>(__VA_ARGS__);   \
    case 6:                        \
      return fn<6>(__VA_ARGS__);   \
    case 7:                        \
      return fn<7>(__VA_ARGS__);   \
    case 8:                        \
      return fn<8>(__VA_ARGS__);   \
    case 9:                        \
      return fn<9>(__VA_ARGS__);   \
    case 10:                       \
      return fn<10>(__VA_ARGS__);  \
    case 11:                       \
      return fn<11>(__VA_ARGS__);  \
    case 12:                       \
      return fn<12>(__VA_ARGS__);  \
    case 13:                       \
      return fn<13>(__VA_ARGS__);  \
    default:                       \
      return fn<14>(__VA_ARGS__);  \
  }

void FloatTileRows(const float* x, const float* panel, int64_t depth, int64_t rows, float* acc,
                   Prefetch ahead) {
  TSERVE_TILE_CASES(FloatTile, x, panel, depth, acc, ahead)
}

void Int8TileRows(const uint8_t* x, const int8_t* panel, int64_t quads, int64_t rows, int32_t* acc,
                  Prefetch ahead) {
  TSERVE_TILE_CASES(Int8Tile, x, panel, quads, acc, ahead)
}

#undef TSERVE_TILE_CASES

}  // namespace

const Kernels& Avx512Kernels() {
  static const Kernels kernels{
      .isa = Isa::kAvx512,
      .panel_width = kWidth,
      .tile_rows = kRows,
      .row_block = 132,
      .activation_levels = 255,
      .float_tile = FloatTileRows,
      .int8_tile = Int8TileRows,
  };
  return kernels;
}

}  // namespace tserve::engine::gemm

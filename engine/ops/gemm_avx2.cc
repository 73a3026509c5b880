// AVX2 + FMA micro-kernels: panels of 24 columns (three 8-lane vectors),
// tiles of up to 4 rows (12 accumulators, 3 weight vectors and a broadcast in
// the 16 registers), rows packed k-major (gemm_kernels.h).
#include <immintrin.h>

#include "engine/ops/gemm_kernels.h"

namespace tserve::engine::gemm {
namespace {

constexpr int64_t kWidth = 24;
constexpr int kVectors = 3;
constexpr int64_t kRows = 4;

// The loops over rows and vectors have constant bounds and are fully
// unrolled, so the accumulators live in registers.
template <int kTileRows>
void FloatTile(const float* x, const float* panel, int64_t depth, float* acc) {
  __m256 a[kTileRows][kVectors];
#pragma GCC unroll 4
  for (int r = 0; r < kTileRows; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) a[r][v] = _mm256_loadu_ps(acc + r * kWidth + 8 * v);
  }
  for (int64_t k = 0; k < depth; ++k) {
    const float* w = panel + k * kWidth;
    const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8), w2 = _mm256_loadu_ps(w + 16);
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r) {
      const __m256 b = _mm256_broadcast_ss(x + k * kTileRows + r);
      a[r][0] = _mm256_fmadd_ps(b, w0, a[r][0]);
      a[r][1] = _mm256_fmadd_ps(b, w1, a[r][1]);
      a[r][2] = _mm256_fmadd_ps(b, w2, a[r][2]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < kTileRows; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) _mm256_storeu_ps(acc + r * kWidth + 8 * v, a[r][v]);
  }
}

// u8·s8 products of four k per 32-bit lane, summed into int32. With 7-bit
// activations a pair sums to at most 2·127·127 < 2^15: no saturation.
inline __m256i Dot4(__m256i activations, __m256i weights) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(activations, weights), _mm256_set1_epi16(1));
}

template <int kTileRows>
void Int8Tile(const uint8_t* x, const int8_t* panel, int64_t quads, int32_t* acc) {
  __m256i a[kTileRows][kVectors];
#pragma GCC unroll 4
  for (int r = 0; r < kTileRows; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) {
      a[r][v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + r * kWidth + 8 * v));
    }
  }
  for (int64_t q = 0; q < quads; ++q) {
    const int8_t* w = panel + q * kWidth * 4;
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32));
    const __m256i w2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 64));
#pragma GCC unroll 4
    for (int r = 0; r < kTileRows; ++r) {
      int32_t four;
      __builtin_memcpy(&four, x + 4 * (q * kTileRows + r), sizeof four);
      const __m256i b = _mm256_set1_epi32(four);
      a[r][0] = _mm256_add_epi32(a[r][0], Dot4(b, w0));
      a[r][1] = _mm256_add_epi32(a[r][1], Dot4(b, w1));
      a[r][2] = _mm256_add_epi32(a[r][2], Dot4(b, w2));
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < kTileRows; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * kWidth + 8 * v), a[r][v]);
    }
  }
}

void FloatTileRows(const float* x, const float* panel, int64_t depth, int64_t rows, float* acc,
                   Prefetch /*ahead*/) {
  switch (rows) {
    case 1:
      return FloatTile<1>(x, panel, depth, acc);
    case 2:
      return FloatTile<2>(x, panel, depth, acc);
    case 3:
      return FloatTile<3>(x, panel, depth, acc);
    default:
      return FloatTile<4>(x, panel, depth, acc);
  }
}

void Int8TileRows(const uint8_t* x, const int8_t* panel, int64_t quads, int64_t rows, int32_t* acc,
                  Prefetch /*ahead*/) {
  switch (rows) {
    case 1:
      return Int8Tile<1>(x, panel, quads, acc);
    case 2:
      return Int8Tile<2>(x, panel, quads, acc);
    case 3:
      return Int8Tile<3>(x, panel, quads, acc);
    default:
      return Int8Tile<4>(x, panel, quads, acc);
  }
}

}  // namespace

const Kernels& Avx2Kernels() {
  static const Kernels kernels{
      .isa = Isa::kAvx2,
      .panel_width = kWidth,
      .tile_rows = kRows,
      .row_block = 128,
      .activation_levels = 127,
      .float_tile = FloatTileRows,
      .int8_tile = Int8TileRows,
  };
  return kernels;
}

}  // namespace tserve::engine::gemm

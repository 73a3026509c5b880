#include "engine/ops/gemm_int8.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

namespace tserve::engine::gemm {
namespace {

// Activations use 7 bits: a pair of u8·s8 products then sums to at most
// 2 · 127 · 127 < 2^15, so _mm256_maddubs_epi16 never saturates.
constexpr float kActivationLevels = 127.f;
constexpr float kWeightLevels = 127.f;

int64_t PaddedDepth(int64_t in) { return (in + kInt8DepthStep - 1) / kInt8DepthStep * kInt8DepthStep; }

void QuantizeRow(const float* x, int64_t in, int64_t padded_depth, uint8_t* q, float& scale,
                 int32_t& zero_point) {
  // The range always contains 0, so zeros (padding, ReLU outputs) are exact.
  __m256 vmin = _mm256_setzero_ps(), vmax = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 8 <= in; k += 8) {
    const __m256 v = _mm256_loadu_ps(x + k);
    vmin = _mm256_min_ps(vmin, v);
    vmax = _mm256_max_ps(vmax, v);
  }
  alignas(32) float lanes_min[8], lanes_max[8];
  _mm256_store_ps(lanes_min, vmin);
  _mm256_store_ps(lanes_max, vmax);
  float lo = *std::min_element(lanes_min, lanes_min + 8);
  float hi = *std::max_element(lanes_max, lanes_max + 8);
  for (int64_t t = k; t < in; ++t) lo = std::min(lo, x[t]), hi = std::max(hi, x[t]);

  scale = (hi - lo) / kActivationLevels;
  if (!(scale > 0.f)) scale = 1.f;  // an all-zero row
  const float inverse = 1.f / scale;
  zero_point = static_cast<int32_t>(std::nearbyint(-lo * inverse));
  zero_point = std::clamp(zero_point, 0, 127);

  const __m256 vinverse = _mm256_set1_ps(inverse);
  const __m256i vzero = _mm256_set1_epi32(zero_point);
  const __m256i vfloor = _mm256_setzero_si256(), vceil = _mm256_set1_epi32(127);
  for (k = 0; k + 8 <= in; k += 8) {
    // _mm256_cvtps_epi32 rounds to nearest even, as std::nearbyint below.
    __m256i v = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + k), vinverse));
    v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, vzero), vfloor), vceil);
    const __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q + k), _mm_packus_epi16(words, words));
  }
  for (; k < in; ++k) {
    const int32_t v = static_cast<int32_t>(std::nearbyint(x[k] * inverse)) + zero_point;
    q[k] = static_cast<uint8_t>(std::clamp(v, 0, 127));
  }
  std::fill(q + in, q + padded_depth, uint8_t{0});
}

}  // namespace

Int8Panels PackInt8Panels(const std::vector<float>& weight, int64_t in, int64_t out) {
  Int8Panels packed;
  packed.padded_depth = PaddedDepth(in);
  const int64_t panels = (out + kPanelWidth - 1) / kPanelWidth;
  const int64_t quads = packed.padded_depth / kInt8DepthStep;
  packed.weights.assign(static_cast<size_t>(panels * packed.padded_depth * kPanelWidth), 0);
  packed.column_scale.assign(static_cast<size_t>(panels * kPanelWidth), 0.f);
  packed.column_sum.assign(static_cast<size_t>(panels * kPanelWidth), 0);
  for (int64_t o = 0; o < out; ++o) {
    const float* row = weight.data() + o * in;
    float max_abs = 0.f;
    for (int64_t k = 0; k < in; ++k) max_abs = std::max(max_abs, std::fabs(row[k]));
    const float scale = max_abs > 0.f ? max_abs / kWeightLevels : 1.f;
    packed.column_scale[o] = scale;
    const int64_t p = o / kPanelWidth, c = o % kPanelWidth;
    int8_t* panel = packed.weights.data() + p * quads * kPanelWidth * kInt8DepthStep;
    int32_t sum = 0;
    for (int64_t k = 0; k < in; ++k) {
      const float level = std::clamp(std::nearbyint(row[k] / scale), -kWeightLevels, kWeightLevels);
      const int8_t q = static_cast<int8_t>(level);
      panel[(k / kInt8DepthStep) * kPanelWidth * kInt8DepthStep + c * kInt8DepthStep +
            k % kInt8DepthStep] = q;
      sum += q;
    }
    packed.column_sum[o] = sum;
  }
  return packed;
}

void QuantizeRows(const float* x, int64_t rows, int64_t in, QuantizedRows& out) {
  out.padded_depth = PaddedDepth(in);
  const int64_t padded_rows = (rows + kTileRows - 1) / kTileRows * kTileRows;
  // Grows only: steady-state calls reuse the buffers.
  if (out.values.size() < static_cast<size_t>(padded_rows * out.padded_depth)) {
    out.values.resize(static_cast<size_t>(padded_rows * out.padded_depth));
  }
  if (out.scale.size() < static_cast<size_t>(padded_rows)) {
    out.scale.resize(static_cast<size_t>(padded_rows));
    out.zero_point.resize(static_cast<size_t>(padded_rows));
  }
  for (int64_t r = 0; r < rows; ++r) {
    QuantizeRow(x + r * in, in, out.padded_depth, out.values.data() + r * out.padded_depth,
                out.scale[r], out.zero_point[r]);
  }
  for (int64_t r = rows; r < padded_rows; ++r) {
    std::fill_n(out.values.begin() + r * out.padded_depth, out.padded_depth, uint8_t{0});
    out.scale[r] = 0.f;
    out.zero_point[r] = 0;
  }
}

void Int8Tile(const uint8_t* x, int64_t ldx, const int8_t* panel, int64_t quads,
              int32_t acc[kTileRows][kPanelWidth]) {
  const auto load = [](const int32_t* p) {
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(p));
  };
  __m256i a00 = load(acc[0]), a01 = load(acc[0] + 8), a02 = load(acc[0] + 16);
  __m256i a10 = load(acc[1]), a11 = load(acc[1] + 8), a12 = load(acc[1] + 16);
  __m256i a20 = load(acc[2]), a21 = load(acc[2] + 8), a22 = load(acc[2] + 16);
  __m256i a30 = load(acc[3]), a31 = load(acc[3] + 8), a32 = load(acc[3] + 16);
  const __m256i ones = _mm256_set1_epi16(1);
  // u8·s8 products of four k per 32-bit lane, summed into int32.
  const auto dot4 = [&ones](__m256i activations, __m256i weights) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(activations, weights), ones);
  };
  const auto broadcast = [](const uint8_t* p) {
    int32_t four;
    __builtin_memcpy(&four, p, sizeof four);
    return _mm256_set1_epi32(four);
  };
  for (int64_t q = 0; q < quads; ++q) {
    const int8_t* w = panel + q * kPanelWidth * kInt8DepthStep;
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32));
    const __m256i w2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 64));
    const int64_t k = q * kInt8DepthStep;
    __m256i b = broadcast(x + k);
    a00 = _mm256_add_epi32(a00, dot4(b, w0));
    a01 = _mm256_add_epi32(a01, dot4(b, w1));
    a02 = _mm256_add_epi32(a02, dot4(b, w2));
    b = broadcast(x + ldx + k);
    a10 = _mm256_add_epi32(a10, dot4(b, w0));
    a11 = _mm256_add_epi32(a11, dot4(b, w1));
    a12 = _mm256_add_epi32(a12, dot4(b, w2));
    b = broadcast(x + 2 * ldx + k);
    a20 = _mm256_add_epi32(a20, dot4(b, w0));
    a21 = _mm256_add_epi32(a21, dot4(b, w1));
    a22 = _mm256_add_epi32(a22, dot4(b, w2));
    b = broadcast(x + 3 * ldx + k);
    a30 = _mm256_add_epi32(a30, dot4(b, w0));
    a31 = _mm256_add_epi32(a31, dot4(b, w1));
    a32 = _mm256_add_epi32(a32, dot4(b, w2));
  }
  const auto store = [](int32_t* p, __m256i v) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(p), v);
  };
  store(acc[0], a00), store(acc[0] + 8, a01), store(acc[0] + 16, a02);
  store(acc[1], a10), store(acc[1] + 8, a11), store(acc[1] + 16, a12);
  store(acc[2], a20), store(acc[2] + 8, a21), store(acc[2] + 16, a22);
  store(acc[3], a30), store(acc[3] + 8, a31), store(acc[3] + 16, a32);
}

}  // namespace tserve::engine::gemm

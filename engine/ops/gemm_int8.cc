#include "engine/ops/gemm_int8.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

namespace tserve::engine::gemm {
namespace {

constexpr float kWeightLevels = 127.f;

int64_t PaddedDepth(int64_t in, int64_t step) { return (in + step - 1) / step * step; }

void QuantizeRow(const float* x, int64_t in, int64_t padded_depth, int32_t levels, uint8_t* q,
                 float& scale, int32_t& zero_point) {
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

  scale = (hi - lo) / static_cast<float>(levels);
  if (!(scale > 0.f)) scale = 1.f;  // an all-zero row
  const float inverse = 1.f / scale;
  zero_point = static_cast<int32_t>(std::nearbyint(-lo * inverse));
  zero_point = std::clamp(zero_point, 0, levels);

  const __m256 vinverse = _mm256_set1_ps(inverse);
  const __m256i vzero = _mm256_set1_epi32(zero_point);
  const __m256i vfloor = _mm256_setzero_si256(), vceil = _mm256_set1_epi32(levels);
  for (k = 0; k + 8 <= in; k += 8) {
    // _mm256_cvtps_epi32 rounds to nearest even, as std::nearbyint below.
    __m256i v = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + k), vinverse));
    v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, vzero), vfloor), vceil);
    const __m128i words =
        _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q + k), _mm_packus_epi16(words, words));
  }
  for (; k < in; ++k) {
    const int32_t v = static_cast<int32_t>(std::nearbyint(x[k] * inverse)) + zero_point;
    q[k] = static_cast<uint8_t>(std::clamp(v, 0, levels));
  }
  std::fill(q + in, q + padded_depth, uint8_t{0});
}

}  // namespace

Int8Panels PackInt8Panels(const std::vector<float>& weight, int64_t in, int64_t out, int64_t width,
                          int64_t depth_step) {
  Int8Panels packed;
  packed.padded_depth = PaddedDepth(in, depth_step);
  const int64_t panels = (out + width - 1) / width;
  const int64_t quads = packed.padded_depth / kInt8DepthStep;
  packed.weights.assign(static_cast<size_t>(panels * packed.padded_depth * width), 0);
  packed.column_scale.assign(static_cast<size_t>(panels * width), 0.f);
  packed.column_sum.assign(static_cast<size_t>(panels * width), 0);
  for (int64_t o = 0; o < out; ++o) {
    const float* row = weight.data() + o * in;
    float max_abs = 0.f;
    for (int64_t k = 0; k < in; ++k) max_abs = std::max(max_abs, std::fabs(row[k]));
    const float scale = max_abs > 0.f ? max_abs / kWeightLevels : 1.f;
    packed.column_scale[o] = scale;
    const int64_t p = o / width, c = o % width;
    int8_t* panel = packed.weights.data() + p * quads * width * kInt8DepthStep;
    int32_t sum = 0;
    for (int64_t k = 0; k < in; ++k) {
      const float level = std::clamp(std::nearbyint(row[k] / scale), -kWeightLevels, kWeightLevels);
      const int8_t q = static_cast<int8_t>(level);
      panel[(k / kInt8DepthStep) * width * kInt8DepthStep + c * kInt8DepthStep +
            k % kInt8DepthStep] = q;
      sum += q;
    }
    packed.column_sum[o] = sum;
  }
  return packed;
}

void PrepareQuantizedRows(int64_t rows, int64_t in, int64_t depth_step, int64_t row_slack,
                          QuantizedRows& out) {
  out.padded_depth = PaddedDepth(in, depth_step);
  // Grows only: steady-state calls reuse the buffers.
  const size_t size = static_cast<size_t>((rows + row_slack) * out.padded_depth);
  if (out.values.size() < size) out.values.resize(size);
  if (out.scale.size() < static_cast<size_t>(rows)) {
    out.scale.resize(static_cast<size_t>(rows));
    out.zero_point.resize(static_cast<size_t>(rows));
  }
}

void QuantizeOneRow(const float* x, int64_t r, int64_t in, int32_t levels, QuantizedRows& out) {
  QuantizeRow(x + r * in, in, out.padded_depth, levels, out.values.data() + r * out.padded_depth,
              out.scale[r], out.zero_point[r]);
}

void QuantizeRows(const float* x, int64_t rows, int64_t in, int32_t levels, QuantizedRows& out,
                  int64_t depth_step, int64_t row_slack) {
  PrepareQuantizedRows(rows, in, depth_step, row_slack, out);
  for (int64_t r = 0; r < rows; ++r) QuantizeOneRow(x, r, in, levels, out);
}

}  // namespace tserve::engine::gemm

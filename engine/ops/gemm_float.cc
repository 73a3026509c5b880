#include "engine/ops/gemm_float.h"

#include <immintrin.h>

#include <cstring>

namespace tserve::engine::gemm {
namespace {

template <typename Element, typename Convert>
std::vector<Element> PackPanels(const std::vector<float>& weight, int64_t in, int64_t out,
                                Convert convert) {
  const int64_t panels = (out + kPanelWidth - 1) / kPanelWidth;
  std::vector<Element> packed(static_cast<size_t>(panels * in * kPanelWidth), Element{0});
  for (int64_t o = 0; o < out; ++o) {
    Element* column = packed.data() + (o / kPanelWidth) * in * kPanelWidth + o % kPanelWidth;
    const float* row = weight.data() + o * in;
    for (int64_t k = 0; k < in; ++k) column[k * kPanelWidth] = convert(row[k]);
  }
  return packed;
}

}  // namespace

uint16_t ToBfloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  bits += 0x7FFFu + ((bits >> 16) & 1u);  // round to nearest, ties to even
  return static_cast<uint16_t>(bits >> 16);
}

std::vector<float> PackFloatPanels(const std::vector<float>& weight, int64_t in, int64_t out) {
  return PackPanels<float>(weight, in, out, [](float v) { return v; });
}

std::vector<uint16_t> PackBfloat16Panels(const std::vector<float>& weight, int64_t in,
                                         int64_t out) {
  return PackPanels<uint16_t>(weight, in, out, ToBfloat16);
}

void WidenBfloat16(const uint16_t* src, int64_t count, float* dst) {
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    const __m256i wide = _mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16);
    _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(wide));
  }
  for (; i < count; ++i) {
    const uint32_t bits = static_cast<uint32_t>(src[i]) << 16;
    std::memcpy(dst + i, &bits, sizeof bits);
  }
}

// The twelve accumulators are named variables so they stay in registers.
void FloatTile(const float* x, int64_t ldx, const float* panel, int64_t depth,
               float acc[kTileRows][kPanelWidth]) {
  __m256 a00 = _mm256_load_ps(acc[0]), a01 = _mm256_load_ps(acc[0] + 8),
         a02 = _mm256_load_ps(acc[0] + 16);
  __m256 a10 = _mm256_load_ps(acc[1]), a11 = _mm256_load_ps(acc[1] + 8),
         a12 = _mm256_load_ps(acc[1] + 16);
  __m256 a20 = _mm256_load_ps(acc[2]), a21 = _mm256_load_ps(acc[2] + 8),
         a22 = _mm256_load_ps(acc[2] + 16);
  __m256 a30 = _mm256_load_ps(acc[3]), a31 = _mm256_load_ps(acc[3] + 8),
         a32 = _mm256_load_ps(acc[3] + 16);
  const float* x0 = x;
  const float* x1 = x + ldx;
  const float* x2 = x + 2 * ldx;
  const float* x3 = x + 3 * ldx;
  for (int64_t k = 0; k < depth; ++k) {
    const float* w = panel + k * kPanelWidth;
    const __m256 w0 = _mm256_loadu_ps(w);
    const __m256 w1 = _mm256_loadu_ps(w + 8);
    const __m256 w2 = _mm256_loadu_ps(w + 16);
    __m256 b = _mm256_broadcast_ss(x0 + k);
    a00 = _mm256_fmadd_ps(b, w0, a00);
    a01 = _mm256_fmadd_ps(b, w1, a01);
    a02 = _mm256_fmadd_ps(b, w2, a02);
    b = _mm256_broadcast_ss(x1 + k);
    a10 = _mm256_fmadd_ps(b, w0, a10);
    a11 = _mm256_fmadd_ps(b, w1, a11);
    a12 = _mm256_fmadd_ps(b, w2, a12);
    b = _mm256_broadcast_ss(x2 + k);
    a20 = _mm256_fmadd_ps(b, w0, a20);
    a21 = _mm256_fmadd_ps(b, w1, a21);
    a22 = _mm256_fmadd_ps(b, w2, a22);
    b = _mm256_broadcast_ss(x3 + k);
    a30 = _mm256_fmadd_ps(b, w0, a30);
    a31 = _mm256_fmadd_ps(b, w1, a31);
    a32 = _mm256_fmadd_ps(b, w2, a32);
  }
  _mm256_store_ps(acc[0], a00), _mm256_store_ps(acc[0] + 8, a01), _mm256_store_ps(acc[0] + 16, a02);
  _mm256_store_ps(acc[1], a10), _mm256_store_ps(acc[1] + 8, a11), _mm256_store_ps(acc[1] + 16, a12);
  _mm256_store_ps(acc[2], a20), _mm256_store_ps(acc[2] + 8, a21), _mm256_store_ps(acc[2] + 16, a22);
  _mm256_store_ps(acc[3], a30), _mm256_store_ps(acc[3] + 8, a31), _mm256_store_ps(acc[3] + 16, a32);
}

}  // namespace tserve::engine::gemm

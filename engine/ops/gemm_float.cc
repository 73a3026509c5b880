#include "engine/ops/gemm_float.h"

#include <immintrin.h>

#include <cstring>

namespace tserve::engine::gemm {
namespace {

template <typename Element, typename Convert>
HugePageVector<Element> PackPanels(const std::vector<float>& weight, int64_t in, int64_t out,
                                   int64_t width, Convert convert) {
  const int64_t panels = (out + width - 1) / width;
  HugePageVector<Element> packed(static_cast<size_t>(panels * in * width), Element{0});
  for (int64_t o = 0; o < out; ++o) {
    Element* column = packed.data() + (o / width) * in * width + o % width;
    const float* row = weight.data() + o * in;
    for (int64_t k = 0; k < in; ++k) column[k * width] = convert(row[k]);
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

HugePageVector<float> PackFloatPanels(const std::vector<float>& weight, int64_t in, int64_t out,
                                      int64_t width) {
  return PackPanels<float>(weight, in, out, width, [](float v) { return v; });
}

HugePageVector<uint16_t> PackBfloat16Panels(const std::vector<float>& weight, int64_t in,
                                            int64_t out, int64_t width) {
  return PackPanels<uint16_t>(weight, in, out, width, ToBfloat16);
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

}  // namespace tserve::engine::gemm

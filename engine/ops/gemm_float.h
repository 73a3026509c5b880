#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/huge_page_allocator.h"

// Float32 and bfloat16 weight panels and bfloat16 conversions for Linear
// (engine/ops/linear.h); the kernels that read them are in gemm_kernels.h.
namespace tserve::engine::gemm {

// W [out, in] row-major → [panels][in][width]: panel p holds columns
// width·p … width·p + width − 1 of Wᵀ, zero-padded past `out`.
HugePageVector<float> PackFloatPanels(const std::vector<float>& weight, int64_t in, int64_t out,
                                      int64_t width);

// The same layout with every weight rounded to bfloat16 (nearest, ties to
// even).
HugePageVector<uint16_t> PackBfloat16Panels(const std::vector<float>& weight, int64_t in,
                                            int64_t out, int64_t width);

// float32 → bfloat16 bits, rounded to nearest, ties to even.
uint16_t ToBfloat16(float value);

// dst[i] = float(src[i]) for i < count; exact.
void WidenBfloat16(const uint16_t* src, int64_t count, float* dst);

}  // namespace tserve::engine::gemm

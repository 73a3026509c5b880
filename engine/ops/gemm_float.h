#pragma once

#include <cstdint>
#include <vector>

// Float32 and bfloat16 weight panels and the float32 register-tiled
// micro-kernel under Linear (engine/ops/linear.h).
namespace tserve::engine::gemm {

// Output columns per packed panel: three AVX2 vectors.
constexpr int64_t kPanelWidth = 24;
// Input rows per register tile.
constexpr int64_t kTileRows = 4;

// W [out, in] row-major → [panels][in][24]: panel p holds columns
// 24p … 24p+23 of Wᵀ, zero-padded past `out`.
std::vector<float> PackFloatPanels(const std::vector<float>& weight, int64_t in, int64_t out);

// The same layout with every weight rounded to bfloat16 (nearest, ties to
// even).
std::vector<uint16_t> PackBfloat16Panels(const std::vector<float>& weight, int64_t in,
                                         int64_t out);

// float32 → bfloat16 bits, rounded to nearest, ties to even.
uint16_t ToBfloat16(float value);

// dst[i] = float(src[i]) for i < count; exact.
void WidenBfloat16(const uint16_t* src, int64_t count, float* dst);

// acc[r][0..24) += Σ_k x[r·ldx + k] · panel[k][0..24) for r < 4, k < depth:
// one FMA per k, in order. Called over consecutive slices of k with the same
// `acc`, the sums are exactly those of one call over all of k (partial sums
// round-trip through memory unchanged). Rows never mix.
void FloatTile(const float* x, int64_t ldx, const float* panel, int64_t depth,
               float acc[kTileRows][kPanelWidth]);

}  // namespace tserve::engine::gemm

#pragma once

#include <cstdint>
#include <vector>

#include "engine/ops/gemm_float.h"

// Int8 weight panels, per-row activation quantization and the u8·s8
// register-tiled micro-kernel under Linear (engine/ops/linear.h).
//
// y[r][c] = s_r · s_c · Σ_k (x_q[r][k] − z_r) · w_q[k][c]
//         = s_r · s_c · (Σ_k x_q[r][k] · w_q[k][c] − z_r · Σ_k w_q[k][c])
// with w_q in [−127, 127] (scale s_c per output column) and x_q in [0, 127]
// (scale s_r and zero point z_r per row). The sum is exact in int32, so the
// result cannot depend on summation order or on the other rows.
namespace tserve::engine::gemm {

// Depth is padded to a multiple of this (the kernel reads four k per lane).
constexpr int64_t kInt8DepthStep = 4;

struct Int8Panels {
  int64_t padded_depth = 0;
  // [panels][padded_depth / 4][24 columns][4 k].
  std::vector<int8_t> weights;
  // Per output column (panels · 24, zero-padded): dequantization scale and
  // Σ_k w_q[k][c], which removes the activations' zero point.
  std::vector<float> column_scale;
  std::vector<int32_t> column_sum;
};

Int8Panels PackInt8Panels(const std::vector<float>& weight, int64_t in, int64_t out);

// Rows quantized for the kernel. `values` is [rows][padded_depth]; rows past
// the real ones (up to a whole tile) are zero with scale 0.
struct QuantizedRows {
  int64_t padded_depth = 0;
  std::vector<uint8_t> values;
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
};

// Quantizes x [rows, in] into `out`, reusing its buffers.
void QuantizeRows(const float* x, int64_t rows, int64_t in, QuantizedRows& out);

// acc[r][c] += Σ_{q < quads} Σ_{j<4} x[r·ldx + 4q + j] · panel[q][c][j].
void Int8Tile(const uint8_t* x, int64_t ldx, const int8_t* panel, int64_t quads,
              int32_t acc[kTileRows][kPanelWidth]);

}  // namespace tserve::engine::gemm

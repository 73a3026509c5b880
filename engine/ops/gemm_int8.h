#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/huge_page_allocator.h"

// Int8 weight panels and per-row activation quantization for Linear
// (engine/ops/linear.h); the u8·s8 kernels are in gemm_kernels.h.
//
// y[r][c] = s_r · s_c · Σ_k (x_q[r][k] − z_r) · w_q[k][c]
//         = s_r · s_c · (Σ_k x_q[r][k] · w_q[k][c] − z_r · Σ_k w_q[k][c])
// with w_q in [−127, 127] (scale s_c per output column) and x_q in
// [0, levels] (scale s_r and zero point z_r per row; levels is the kernels'
// activation_levels). The sum is exact in int32, so the result cannot depend
// on summation order or on the other rows.
namespace tserve::engine::gemm {

// The kernels read four k per lane (a quad); depth is padded to a multiple
// of this, or of a larger multiple the kernels ask for (Kernels::int8_depth_step).
constexpr int64_t kInt8DepthStep = 4;

struct Int8Panels {
  int64_t padded_depth = 0;
  // [panels][padded_depth / 4][width columns][4 k].
  HugePageVector<int8_t> weights;
  // Per output column (panels · width, zero-padded): dequantization scale and
  // Σ_k w_q[k][c], which removes the activations' zero point.
  std::vector<float> column_scale;
  std::vector<int32_t> column_sum;
};

// Depth padded to a multiple of `depth_step` (a multiple of kInt8DepthStep).
Int8Panels PackInt8Panels(const std::vector<float>& weight, int64_t in, int64_t out, int64_t width,
                          int64_t depth_step = kInt8DepthStep);

// Rows quantized for the kernel: `values` is [rows][padded_depth], k past
// `in` zero, followed by at least `row_slack` more rows of readable memory.
struct QuantizedRows {
  int64_t padded_depth = 0;
  std::vector<uint8_t> values;
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
};

// Quantizes x [rows, in] to [0, levels] into `out`, reusing its buffers;
// depth padded as PackInt8Panels pads it for the same `depth_step`.
void QuantizeRows(const float* x, int64_t rows, int64_t in, int32_t levels, QuantizedRows& out,
                  int64_t depth_step = kInt8DepthStep, int64_t row_slack = 0);

// QuantizeRows in two parts, so that threads can share the rows: sizes
// `out` for `rows` rows (serially), then quantizes row r of x into it (any
// thread, each row once).
void PrepareQuantizedRows(int64_t rows, int64_t in, int64_t depth_step, int64_t row_slack,
                          QuantizedRows& out);
void QuantizeOneRow(const float* x, int64_t r, int64_t in, int32_t levels, QuantizedRows& out);

}  // namespace tserve::engine::gemm

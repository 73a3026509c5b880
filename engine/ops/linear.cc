#include "engine/ops/linear.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/ops/gemm_float.h"

namespace tserve::engine {
namespace {

using gemm::kPanelWidth;
using gemm::kTileRows;

// Rows processed per pass over all panels, so a block of inputs stays in
// cache while every panel streams past it.
constexpr int64_t kRowBlock = 128;
// Depth processed per pass over a block's tiles: a 128 × 24 slice of a panel
// (12 KB in float32) is reused by every tile while it is in L1; a whole panel
// (48 KB at depth 512) would not fit.
constexpr int64_t kDepthSlice = 128;

float Activate(Epilogue epilogue, float v) {
  switch (epilogue) {
    case Epilogue::kRelu:
      return v > 0.f ? v : 0.f;
    case Epilogue::kSwish:
      return v / (1.f + std::exp(-v));
    case Epilogue::kGelu:
      return 0.5f * v * (1.f + std::erf(v * static_cast<float>(M_SQRT1_2)));
    case Epilogue::kNone:
    case Epilogue::kAccumulate:
      return v;
  }
  return v;
}

// out[r·ld + c] = epilogue(sums[r][c] + bias[c]). The epilogue is chosen
// outside the loops so the common ones (none, accumulate, ReLU) vectorize.
void WriteRows(Epilogue epilogue, const float (*sums)[kPanelWidth], const float* bias,
               int64_t rows, int64_t cols, float* out, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = sums[r];
    float* o = out + r * ld;
    switch (epilogue) {
      // `omp simd`: the output never overlaps the sums or the bias, which the
      // compiler cannot prove on its own.
      case Epilogue::kNone:
#pragma omp simd
        for (int64_t c = 0; c < cols; ++c) o[c] = s[c] + bias[c];
        break;
      case Epilogue::kAccumulate:
#pragma omp simd
        for (int64_t c = 0; c < cols; ++c) o[c] += s[c] + bias[c];
        break;
      case Epilogue::kRelu:
#pragma omp simd
        for (int64_t c = 0; c < cols; ++c) {
          const float v = s[c] + bias[c];
          o[c] = v > 0.f ? v : 0.f;
        }
        break;
      case Epilogue::kSwish:
      case Epilogue::kGelu:
        for (int64_t c = 0; c < cols; ++c) o[c] = Activate(epilogue, s[c] + bias[c]);
        break;
    }
  }
}

}  // namespace

// The activations in the form the kernels read, prepared once per call.
struct Linear::Inputs {
  const float* x = nullptr;          // float32 / bfloat16: the caller's rows
  const float* padded_tail = nullptr;  // the rows past the last whole tile, zero-padded
  int64_t full_rows = 0;             // rows in whole tiles
  const gemm::QuantizedRows* quantized = nullptr;  // int8
};

Linear::Linear(const std::vector<float>& weight, const std::vector<float>& bias,
               int64_t in_features, int64_t out_features, Epilogue epilogue,
               ComputeType compute_type)
    : in_features_(in_features),
      out_features_(out_features),
      num_panels_((out_features + kPanelWidth - 1) / kPanelWidth),
      epilogue_(epilogue),
      compute_type_(compute_type),
      bias_(static_cast<size_t>(num_panels_ * kPanelWidth), 0.f) {
  switch (compute_type) {
    case ComputeType::kFloat32:
      float_panels_ = gemm::PackFloatPanels(weight, in_features, out_features);
      break;
    case ComputeType::kBfloat16:
      bfloat16_panels_ = gemm::PackBfloat16Panels(weight, in_features, out_features);
      break;
    case ComputeType::kInt8:
      int8_panels_ = gemm::PackInt8Panels(weight, in_features, out_features);
      break;
  }
  if (!bias.empty()) std::copy(bias.begin(), bias.end(), bias_.begin());
}

int64_t Linear::weight_bytes() const {
  return static_cast<int64_t>(float_panels_.size() * sizeof(float) +
                              bfloat16_panels_.size() * sizeof(uint16_t) +
                              int8_panels_.weights.size() +
                              int8_panels_.column_scale.size() * sizeof(float) +
                              int8_panels_.column_sum.size() * sizeof(int32_t) +
                              bias_.size() * sizeof(float));
}

void Linear::PanelSums(const Inputs& inputs, int64_t p, int64_t block, int64_t block_rows,
                       float (*sums)[kPanelWidth]) const {
  const int64_t depth = in_features_;
  const int64_t tiles = (block_rows + kTileRows - 1) / kTileRows;
  auto* float_tiles = reinterpret_cast<float (*)[kTileRows][kPanelWidth]>(sums);
  const auto float_rows = [&](int64_t t) {
    const int64_t r0 = block + t * kTileRows;
    return r0 < inputs.full_rows ? inputs.x + r0 * depth : inputs.padded_tail;
  };

  switch (compute_type_) {
    case ComputeType::kFloat32: {
      std::fill_n(&sums[0][0], tiles * kTileRows * kPanelWidth, 0.f);
      const float* panel = float_panels_.data() + p * depth * kPanelWidth;
      for (int64_t k0 = 0; k0 < depth; k0 += kDepthSlice) {
        const int64_t slice = std::min(kDepthSlice, depth - k0);
        for (int64_t t = 0; t < tiles; ++t) {
          gemm::FloatTile(float_rows(t) + k0, depth, panel + k0 * kPanelWidth, slice,
                          float_tiles[t]);
        }
      }
      return;
    }
    case ComputeType::kBfloat16: {
      std::fill_n(&sums[0][0], tiles * kTileRows * kPanelWidth, 0.f);
      const uint16_t* panel = bfloat16_panels_.data() + p * depth * kPanelWidth;
      // Each slice is widened once and reused by every tile of the block.
      alignas(32) float widened[kDepthSlice * kPanelWidth];
      for (int64_t k0 = 0; k0 < depth; k0 += kDepthSlice) {
        const int64_t slice = std::min(kDepthSlice, depth - k0);
        gemm::WidenBfloat16(panel + k0 * kPanelWidth, slice * kPanelWidth, widened);
        for (int64_t t = 0; t < tiles; ++t) {
          gemm::FloatTile(float_rows(t) + k0, depth, widened, slice, float_tiles[t]);
        }
      }
      return;
    }
    case ComputeType::kInt8: {
      const gemm::QuantizedRows& q = *inputs.quantized;
      const int64_t padded_depth = int8_panels_.padded_depth;
      const int8_t* panel = int8_panels_.weights.data() + p * padded_depth * kPanelWidth;
      alignas(32) int32_t acc[kRowBlock / kTileRows][kTileRows][kPanelWidth];
      std::fill_n(&acc[0][0][0], tiles * kTileRows * kPanelWidth, 0);
      for (int64_t k0 = 0; k0 < padded_depth; k0 += kDepthSlice) {
        const int64_t slice = std::min(kDepthSlice, padded_depth - k0);
        for (int64_t t = 0; t < tiles; ++t) {
          const uint8_t* x = q.values.data() + (block + t * kTileRows) * padded_depth + k0;
          gemm::Int8Tile(x, padded_depth, panel + k0 * kPanelWidth, slice / gemm::kInt8DepthStep,
                         acc[t]);
        }
      }
      const float* column_scale = int8_panels_.column_scale.data() + p * kPanelWidth;
      const int32_t* column_sum = int8_panels_.column_sum.data() + p * kPanelWidth;
      for (int64_t r = 0; r < block_rows; ++r) {
        const int32_t* row = acc[r / kTileRows][r % kTileRows];
        const int32_t zero_point = q.zero_point[block + r];
        const float row_scale = q.scale[block + r];
#pragma omp simd
        for (int64_t c = 0; c < kPanelWidth; ++c) {
          const int32_t exact = row[c] - zero_point * column_sum[c];
          sums[r][c] = static_cast<float>(exact) * (row_scale * column_scale[c]);
        }
      }
      return;
    }
  }
}

void Linear::Forward(const float* x, int64_t rows, float* y) const {
  if (rows == 0) return;
  const int64_t depth = in_features_;
  Inputs inputs;
  inputs.x = x;
  inputs.full_rows = rows / kTileRows * kTileRows;
  // Buffers kept per calling thread, so steady-state calls allocate nothing.
  thread_local std::vector<float> padded_tail;
  thread_local gemm::QuantizedRows quantized;
  if (compute_type_ == ComputeType::kInt8) {
    gemm::QuantizeRows(x, rows, depth, quantized);
    inputs.quantized = &quantized;
  } else if (inputs.full_rows < rows) {
    if (padded_tail.size() < static_cast<size_t>(kTileRows * depth)) {
      padded_tail.resize(static_cast<size_t>(kTileRows * depth));
    }
    std::fill_n(padded_tail.begin(), kTileRows * depth, 0.f);
    std::copy(x + inputs.full_rows * depth, x + rows * depth, padded_tail.begin());
    inputs.padded_tail = padded_tail.data();
  }

  // Work under ~64k multiply-adds is not worth forking the OpenMP team.
  const bool parallel = rows * out_features_ * depth >= (int64_t{1} << 16) && num_panels_ > 1;
  for (int64_t block = 0; block < rows; block += kRowBlock) {
    const int64_t block_rows = std::min(kRowBlock, rows - block);
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t p = 0; p < num_panels_; ++p) {
      alignas(32) float sums[kRowBlock][kPanelWidth];
      PanelSums(inputs, p, block, block_rows, sums);
      const int64_t col0 = p * kPanelWidth;
      const int64_t cols = std::min(kPanelWidth, out_features_ - col0);
      WriteRows(epilogue_, sums, bias_.data() + col0, block_rows, cols,
                y + block * out_features_ + col0, out_features_);
    }
  }
}

}  // namespace tserve::engine

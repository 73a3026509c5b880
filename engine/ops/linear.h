#pragma once

#include <cstdint>
#include <vector>

#include "engine/ops/activation.h"
#include "engine/ops/compute_type.h"
#include "engine/ops/gemm_int8.h"
#include "engine/ops/gemm_kernels.h"

namespace tserve::engine {

// A fully connected layer: y = epilogue(x · Wᵀ + b), batch-invariant.
//
// Every output element is computed by the same sequence of operations
// whatever the number of rows, the row's position in the batch or the thread
// count: float32 and bfloat16 sum in a fixed order of k, int8 sums exactly in
// int32 after quantizing each row on its own. A sentence therefore gets
// bit-identical results alone or batched with any others, which is what lets
// continuous batching promise the same tokens as translating each sentence
// alone. oneDNN's GEMM does not give that guarantee (its results for a row
// change with the row count: measured on its AVX2 kernels, M = 1 vs 2.., and
// again past a few hundred rows when it splits K), so the product runs on
// tserve's own kernels (engine/ops/gemm_kernels.h): weights packed once at
// load into panels, register-tiled micro-kernels for AVX2 or AVX-512
// (VNNI), OpenMP over panels.
class Linear {
 public:
  // `weight` is [out_features, in_features] row-major (Hugging Face's layout);
  // `bias` is [out_features] or empty for none. `kernels` defaults to the
  // process's gemm::SelectedKernels().
  Linear(const std::vector<float>& weight, const std::vector<float>& bias, int64_t in_features,
         int64_t out_features, Epilogue epilogue, ComputeType compute_type = ComputeType::kFloat32,
         const gemm::Kernels* kernels = nullptr);

  // y[rows, out] = epilogue(x[rows, in] · Wᵀ + b). Both buffers are dense
  // row-major; with Epilogue::kAccumulate `y` holds the addend on entry.
  void Forward(const float* x, int64_t rows, float* y) const;

  // What the profile (engine/core/profile.h) calls this product's time; a
  // string that outlives the layer (a literal). Default "products".
  void set_profile_label(const char* label) { profile_label_ = label; }

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  ComputeType compute_type() const { return compute_type_; }
  const gemm::Kernels& kernels() const { return *kernels_; }
  // Bytes held for the packed weights (and their scales).
  int64_t weight_bytes() const;

  // dst[k] = W[row][k] for k < in_features, from the panels: float32 panels
  // hold the weights as given, bfloat16 panels as gemm::ToBfloat16 rounded
  // them (widened here). Lets a tied embedding look rows up here instead of
  // keeping a second copy of the matrix. Not for int8 (its panels hold
  // quantized levels only).
  void WeightRow(int64_t row, float* dst) const;

 private:
  struct Inputs;
  // sums[r·W + c] = Σ_k x[block + r][k] · W[W·p + c][k] for r < block_rows.
  void PanelSums(const Inputs& inputs, int64_t panel, int64_t block, int64_t block_rows,
                 float* sums) const;

  int64_t in_features_;
  int64_t out_features_;
  const gemm::Kernels* kernels_;
  int64_t panel_width_;
  int64_t num_panels_;
  // k per panel: in_features, or for int8 rounded up to whole quads.
  int64_t packed_depth_;
  Epilogue epilogue_;
  ComputeType compute_type_;
  // Exactly one of these holds the weights, by compute type.
  HugePageVector<float> float_panels_;
  HugePageVector<uint16_t> bfloat16_panels_;
  gemm::Int8Panels int8_panels_;
  std::vector<float> bias_;  // [num_panels · W], zero-padded
  const char* profile_label_ = "products";
};

}  // namespace tserve::engine

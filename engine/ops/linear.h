#pragma once

#include <cstdint>
#include <vector>

#include "engine/ops/activation.h"

namespace tserve::engine {

// A fully connected layer: y = epilogue(x · Wᵀ + b), batch-invariant.
//
// Every output element is computed by the same sequence of fused
// multiply-adds (k = 0, 1, …, in-1) whatever the number of rows, the row's
// position in the batch or the thread count. A sentence therefore gets
// bit-identical results alone or batched with any others, which is what lets
// continuous batching promise the same tokens as translating each sentence
// alone. oneDNN's float32 GEMM does not give that guarantee (its results for a
// row change with the row count: measured on the AVX2 kernels, M = 1 vs 2..,
// and again past a few hundred rows when it splits K), so the float32 product
// runs on this kernel: weights packed once at load into column panels, an
// AVX2/FMA register-tiled micro-kernel, OpenMP over panels.
class Linear {
 public:
  // `weight` is [out_features, in_features] row-major (Hugging Face's layout);
  // `bias` is [out_features] or empty for none.
  Linear(const std::vector<float>& weight, const std::vector<float>& bias, int64_t in_features,
         int64_t out_features, Epilogue epilogue);

  // y[rows, out] = epilogue(x[rows, in] · Wᵀ + b). Both buffers are dense
  // row-major; with Epilogue::kAccumulate `y` holds the addend on entry.
  void Forward(const float* x, int64_t rows, float* y) const;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

  // Output columns per packed panel.
  static constexpr int64_t kPanelWidth = 24;

 private:
  int64_t in_features_;
  int64_t out_features_;
  int64_t num_panels_;
  Epilogue epilogue_;
  // [num_panels, in_features, kPanelWidth]: panel p holds columns
  // p·24 … p·24+23 of Wᵀ, zero-padded past out_features.
  std::vector<float> panels_;
  std::vector<float> bias_;  // [num_panels · 24], zero-padded
};

}  // namespace tserve::engine

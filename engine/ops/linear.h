#pragma once

#include <cstdint>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "engine/core/primitive_cache.h"
#include "engine/ops/activation.h"

namespace tserve::engine {

// A fully connected layer on oneDNN's matmul: y = epilogue(x · Wᵀ + b).
//
// The weights are converted and reordered once, at construction, into the
// layout oneDNN prefers; one matmul primitive per distinct row count is
// created on first use and reused after.
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

 private:
  dnnl::matmul CreatePrimitive(int64_t rows) const;

  int64_t in_features_;
  int64_t out_features_;
  Epilogue epilogue_;
  bool has_bias_;
  dnnl::memory weights_;
  dnnl::memory bias_;
  PrimitiveCache<dnnl::matmul> primitives_;
};

}  // namespace tserve::engine

#pragma once

#include <cstdint>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "engine/core/primitive_cache.h"
#include "engine/ops/norm.h"

namespace tserve::engine {

// LayerNorm over the last dimension with learned scale (gamma) and shift
// (beta), on oneDNN's layer_normalization primitive. Works in place.
class LayerNorm : public Norm {
 public:
  LayerNorm(const std::vector<float>& gamma, const std::vector<float>& beta, float epsilon);

  // y[rows, width] = LN(x[rows, width]); `y` may equal `x`.
  void Forward(const float* x, int64_t rows, float* y) const override;

 private:
  dnnl::layer_normalization_forward CreatePrimitive(int64_t rows) const;

  int64_t width_;
  float epsilon_;
  dnnl::memory gamma_;
  dnnl::memory beta_;
  PrimitiveCache<dnnl::layer_normalization_forward> primitives_;
};

}  // namespace tserve::engine

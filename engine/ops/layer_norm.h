#pragma once

#include <cstdint>
#include <vector>

#include "engine/ops/norm.h"

namespace tserve::engine {

// LayerNorm over the last dimension with learned scale (gamma) and shift
// (beta): y = (x − mean) / sqrt(var + ε) · gamma + beta, the variance biased
// (over the width), as torch.nn.LayerNorm. Works in place.
//
// A row at a time in plain vector code rather than a oneDNN primitive: a
// decoder step normalizes a few dozen rows of a few hundred values, where
// the primitive's per-call setup (descriptors, memory objects, its own
// thread team) cost more than the arithmetic. Each row's result depends on
// that row alone.
class LayerNorm : public Norm {
 public:
  LayerNorm(std::vector<float> gamma, std::vector<float> beta, float epsilon);

  // y[rows, width] = LN(x[rows, width]); `y` may equal `x`.
  void Forward(const float* x, int64_t rows, float* y) const override;

 private:
  std::vector<float> gamma_;
  std::vector<float> beta_;
  float epsilon_;
};

}  // namespace tserve::engine

#pragma once

#include <cstdint>

namespace tserve::engine {

// A per-row normalization over the last dimension (LayerNorm, RmsNorm): what a
// block's norm is, whichever the family uses.
class Norm {
 public:
  virtual ~Norm() = default;
  // y[rows, width] = norm(x[rows, width]); `y` may equal `x`.
  virtual void Forward(const float* x, int64_t rows, float* y) const = 0;
};

}  // namespace tserve::engine

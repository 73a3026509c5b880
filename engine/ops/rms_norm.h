#pragma once

#include <cstdint>
#include <vector>

#include "engine/ops/norm.h"

namespace tserve::engine {

// T5LayerNorm: y = x / sqrt(mean(x²) + eps) · weight, with no mean subtraction
// and no bias. Each row on its own (batch-invariant); the mean of squares is
// summed in double, close to PyTorch's float32 reduction.
class RmsNorm : public Norm {
 public:
  RmsNorm(std::vector<float> weight, float epsilon);

  void Forward(const float* x, int64_t rows, float* y) const override;

 private:
  std::vector<float> weight_;
  float epsilon_;
};

}  // namespace tserve::engine

#include "engine/ops/rms_norm.h"

#include <cmath>
#include <utility>

#include "engine/core/profile.h"

namespace tserve::engine {

RmsNorm::RmsNorm(std::vector<float> weight, float epsilon)
    : weight_(std::move(weight)), epsilon_(epsilon) {}

void RmsNorm::Forward(const float* x, int64_t rows, float* y) const {
  if (rows == 0) return;
  const ProfileScope profile("layer norms");
  const int64_t width = static_cast<int64_t>(weight_.size());
  const float* w = weight_.data();
#pragma omp parallel for schedule(static) if (rows * width >= (1 << 16))
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * width;
    float* out = y + r * width;
    double squares = 0;
    for (int64_t c = 0; c < width; ++c) squares += static_cast<double>(in[c]) * in[c];
    const float variance = static_cast<float>(squares / static_cast<double>(width));
    const float inv = 1.f / std::sqrt(variance + epsilon_);
#pragma omp simd
    for (int64_t c = 0; c < width; ++c) out[c] = w[c] * (in[c] * inv);
  }
}

}  // namespace tserve::engine

#include "engine/ops/layer_norm.h"

#include <cmath>
#include <utility>

#include "engine/core/profile.h"

namespace tserve::engine {

LayerNorm::LayerNorm(std::vector<float> gamma, std::vector<float> beta, float epsilon)
    : gamma_(std::move(gamma)), beta_(std::move(beta)), epsilon_(epsilon) {}

void LayerNorm::Forward(const float* x, int64_t rows, float* y) const {
  if (rows == 0) return;
  const ProfileScope profile("layer norms");
  const int64_t width = static_cast<int64_t>(gamma_.size());
  const float* gamma = gamma_.data();
  const float* beta = beta_.data();
  // Forking the team costs microseconds: only for encoder-sized batches.
#pragma omp parallel for schedule(static) if (rows * width >= (1 << 16))
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * width;
    float* out = y + r * width;
    // Two passes (mean, then squared deviations), summed in double: the
    // moments then come out the same in float whatever order a build's
    // vectorization adds the terms in (an optimized and a sanitizer build
    // agree), and close to the exact ones.
    double sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t c = 0; c < width; ++c) sum += in[c];
    const float mean = static_cast<float>(sum / static_cast<double>(width));
    double squares = 0;
#pragma omp simd reduction(+ : squares)
    for (int64_t c = 0; c < width; ++c) {
      const double centred = static_cast<double>(in[c]) - mean;
      squares += centred * centred;
    }
    const float variance = static_cast<float>(squares / static_cast<double>(width));
    // torch.nn.LayerNorm's own order of operations on CPU: x · rstd − rstd ·
    // mean, then · gamma + beta, each rounded (this file is compiled without
    // fused multiply-adds, as PyTorch's vectorized map does them).
    const float rstd = 1.f / std::sqrt(variance + epsilon_);
    const float shift = -rstd * mean;
#pragma omp simd
    for (int64_t c = 0; c < width; ++c) out[c] = (in[c] * rstd + shift) * gamma[c] + beta[c];
  }
}

}  // namespace tserve::engine

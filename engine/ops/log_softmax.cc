#include "engine/ops/log_softmax.h"

#include <cmath>

#include "engine/core/profile.h"
#include "engine/ops/vector_math.h"

namespace tserve::engine {

void LogSoftmax::ForwardInPlace(float* x, int64_t rows) const {
  if (rows == 0) return;
  const ProfileScope profile("search: log-softmax");
  const int64_t width = width_;
  // Forking the team costs microseconds: worth it from a few rows of a real
  // vocabulary on (as FindBestTokens).
  const bool parallel = rows > 1 && rows * width >= (int64_t{1} << 16);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * width;
    const float max = row[ArgMax(row, width)];
    const float log_sum = std::log(SumShiftedExp(row, width, max));
#pragma omp simd
    for (int64_t i = 0; i < width; ++i) row[i] = (row[i] - max) - log_sum;
  }
}

}  // namespace tserve::engine

#include "engine/ops/best_token.h"

#include <cmath>

#include "engine/core/profile.h"
#include "engine/ops/vector_math.h"

namespace tserve::engine {

void FindBestTokens(const float* logits, int64_t rows, int64_t width, BestToken* out) {
  const ProfileScope profile("search: best tokens");
  // Forking the team costs microseconds: worth it from a few rows of a
  // real vocabulary on.
  const bool parallel = rows > 1 && rows * width >= (int64_t{1} << 16);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = logits + r * width;
    const int64_t best = ArgMax(row, width);
    const float max_logit = row[best];
    out[r] = {static_cast<int32_t>(best), max_logit,
              std::log(SumShiftedExp(row, width, max_logit))};
  }
}

}  // namespace tserve::engine

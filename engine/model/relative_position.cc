#include "engine/model/relative_position.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "engine/core/status_macros.h"

namespace tserve::engine {

int64_t RelativePositionBucket(int64_t relative_position, bool bidirectional, int64_t num_buckets,
                               int64_t max_distance) {
  int64_t bucket = 0;
  int64_t distance = 0;
  if (bidirectional) {
    num_buckets /= 2;
    if (relative_position > 0) bucket += num_buckets;
    distance = std::abs(relative_position);
  } else {
    distance = -std::min<int64_t>(relative_position, 0);
  }
  const int64_t max_exact = num_buckets / 2;
  if (distance < max_exact) return bucket + distance;
  // float32 throughout, the Python scalar log(max_distance / max_exact) rounded to
  // float32 as PyTorch does for a tensor-by-scalar division; the cast truncates.
  const float scaled = std::log(static_cast<float>(distance) / static_cast<float>(max_exact)) /
                       static_cast<float>(std::log(static_cast<double>(max_distance) /
                                                   static_cast<double>(max_exact))) *
                       static_cast<float>(num_buckets - max_exact);
  const int64_t large = max_exact + static_cast<int64_t>(scaled);
  return bucket + std::min(large, num_buckets - 1);
}

absl::StatusOr<RelativePositionBias> RelativePositionBias::Load(
    const WeightLoader& weights, const std::string& name, int64_t num_heads, int64_t num_buckets,
    int64_t max_distance, bool bidirectional, int64_t max_length) {
  TSERVE_ASSIGN_OR_RETURN(std::vector<float> embedding,
                          weights.Read(name, {num_buckets, num_heads}));
  RelativePositionBias bias;
  bias.max_length_ = max_length;
  bias.width_ = bidirectional ? 2 * max_length - 1 : max_length;
  bias.table_.resize(static_cast<size_t>(num_heads * bias.width_));
  for (int64_t k = 0; k < bias.width_; ++k) {
    const int64_t relative = k - (max_length - 1);
    const int64_t bucket =
        RelativePositionBucket(relative, bidirectional, num_buckets, max_distance);
    for (int64_t h = 0; h < num_heads; ++h) {
      bias.table_[h * bias.width_ + k] = embedding[bucket * num_heads + h];
    }
  }
  return bias;
}

}  // namespace tserve::engine

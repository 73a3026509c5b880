// T5's relative position bias: attention adds a learned value per (head, bucket of the
// key's position minus the query's), the buckets exact for short distances and
// logarithmic up to relative_attention_max_distance. The first layer of each stack
// holds the table; every layer of the stack adds the same bias.
#ifndef TSERVE_ENGINE_MODEL_RELATIVE_POSITION_H_
#define TSERVE_ENGINE_MODEL_RELATIVE_POSITION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model/weights.h"

namespace tserve::engine {

// The bucket of `relative_position` (key position − query position), in float32
// step by step as transformers' T5Attention._relative_position_bucket computes it.
// Bidirectional (encoder): half the buckets for keys after the query; causal
// (decoder): keys after the query never occur and count as distance 0.
int64_t RelativePositionBucket(int64_t relative_position, bool bidirectional, int64_t num_buckets,
                               int64_t max_distance);

class RelativePositionBias {
 public:
  // `name` is [num_buckets, num_heads]. Biases are laid out for queries and keys at
  // positions below `max_length`.
  static absl::StatusOr<RelativePositionBias> Load(const WeightLoader& weights,
                                                   const std::string& name, int64_t num_heads,
                                                   int64_t num_buckets, int64_t max_distance,
                                                   bool bidirectional, int64_t max_length);

  // For the query at `position`: head h's bias for the key at position j is
  // ForQuery(position)[h * head_stride() + j] (AttentionTask::bias).
  const float* ForQuery(int64_t position) const {
    return table_.data() + (max_length_ - 1 - position);
  }
  int64_t head_stride() const { return width_; }

 private:
  // Per head, the bias of every relative position from -(max_length - 1) to
  // max_length - 1 (bidirectional) or to 0 (causal).
  std::vector<float> table_;
  int64_t max_length_ = 0;
  int64_t width_ = 0;
};

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_MODEL_RELATIVE_POSITION_H_

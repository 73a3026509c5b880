#include "engine/model/stack_parts.h"

#include <cmath>

#include "engine/core/status_macros.h"

namespace tserve::engine {

absl::StatusOr<StackParts> LoadStackParts(const WeightLoader& weights, const ModelConfig& config,
                                          const StackNames& names, int64_t heads,
                                          bool bidirectional) {
  const Architecture& arch = config.architecture;
  const int64_t d = config.d_model;
  const float eps = config.layer_norm_eps;
  StackParts parts;
  if (arch.layernorm_embedding) {
    TSERVE_ASSIGN_OR_RETURN(parts.embedding_norm, weights.LoadNorm(names.embedding_norm, d, eps));
  }
  if (arch.final_layer_norm) {
    TSERVE_ASSIGN_OR_RETURN(parts.final_norm, weights.LoadNorm(names.final_norm, d, eps));
  }
  if (arch.positions == PositionKind::kNone) {
    TSERVE_ASSIGN_OR_RETURN(
        parts.relative_bias,
        RelativePositionBias::Load(
            weights, names.relative_bias, heads, config.relative_attention_num_buckets,
            config.relative_attention_max_distance, bidirectional, config.max_position_embeddings));
  }
  return parts;
}

float QueryScale(const ModelConfig& config, int64_t attention_dim, int64_t heads) {
  if (!config.architecture.scale_attention) return 1.f;
  return 1.f / std::sqrt(static_cast<float>(attention_dim / heads));
}

}  // namespace tserve::engine

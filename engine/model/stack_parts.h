#pragma once

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "engine/model/config.h"
#include "engine/model/relative_position.h"
#include "engine/model/weight_names.h"
#include "engine/model/weights.h"
#include "engine/ops/norm.h"

namespace tserve::engine {

// What an encoder or decoder stack holds besides its layers, as its family's
// architecture says: the embedding norm (layernorm_embedding), the norm after the last
// layer (final_layer_norm) and T5's relative position bias.
struct StackParts {
  std::unique_ptr<Norm> embedding_norm;
  std::unique_ptr<Norm> final_norm;
  std::optional<RelativePositionBias> relative_bias;
};

// `heads`: the stack's attention heads; `bidirectional`: the encoder's bias (the
// decoder's is causal).
absl::StatusOr<StackParts> LoadStackParts(const WeightLoader& weights, const ModelConfig& config,
                                          const StackNames& names, int64_t heads,
                                          bool bidirectional);

// The factor folded into the query projection: head_dim^-0.5, or 1 for T5.
float QueryScale(const ModelConfig& config, int64_t attention_dim, int64_t heads);

}  // namespace tserve::engine

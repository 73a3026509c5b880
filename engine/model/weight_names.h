// The checkpoint names of an encoder-decoder's weights, by the family's naming
// (WeightNaming): BART's modeling code (MarianMT, M2M100/NLLB, BART, mBART) or T5's.
#ifndef TSERVE_ENGINE_MODEL_WEIGHT_NAMES_H_
#define TSERVE_ENGINE_MODEL_WEIGHT_NAMES_H_

#include <cstdint>
#include <string>

#include "engine/model/family.h"

namespace tserve::engine {

// Prefixes: a Linear is `<prefix>.weight` (+ `.bias`), a norm `<prefix>.weight` (+ `.bias`).
struct AttentionNames {
  std::string query, key, value, out;
  std::string norm;  // the norm of the block (before it with pre-norm, after it otherwise)
};

struct FeedForwardNames {
  std::string in;    // fc1 / wi; the activated half (wi_0) of a gated block
  std::string gate;  // wi_1, the linear half of a gated block
  std::string out;   // fc2 / wo
  std::string norm;
};

struct LayerNames {
  AttentionNames self_attention;
  AttentionNames cross_attention;  // decoder layers only
  FeedForwardNames feed_forward;
};

// Names of one stack ("encoder" or "decoder").
struct StackNames {
  std::string embedding_norm;  // layernorm_embedding
  std::string final_norm;
  std::string relative_bias;  // T5: the first layer's relative_attention_bias.weight
};

// `gated`: the feed-forward block has two input projections (T5's wi_0 and wi_1).
LayerNames EncoderLayerNames(WeightNaming naming, bool gated, int64_t layer);
LayerNames DecoderLayerNames(WeightNaming naming, bool gated, int64_t layer);
StackNames EncoderStackNames(WeightNaming naming);
StackNames DecoderStackNames(WeightNaming naming);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_MODEL_WEIGHT_NAMES_H_

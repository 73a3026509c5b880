// Model families: which Hugging Face config classes tserve loads, and the switches
// (CTranslate2's TransformerSpec) that make its one encoder-decoder each of them.
// A family is a config reader: model_type picks the defaults of transformers'
// config class and the architecture its modeling code hard-codes
// (docs/semantics.md, "Model families").
#ifndef TSERVE_ENGINE_MODEL_FAMILY_H_
#define TSERVE_ENGINE_MODEL_FAMILY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tserve::engine {

enum class ModelFamily { kMarian, kM2M100, kBart, kMBart, kT5, kMT5 };

// How positions are embedded.
enum class PositionKind {
  // Marian: sin(p / 10000^(2i/d)) in the first half, cos in the second, positions from 0;
  // model.*.embed_positions.weight when stored, else computed.
  kSinusoidal,
  // M2M100/NLLB (fairseq): sin half then cos half with frequencies
  // exp(-i · ln(10000) / (d/2 - 1)), computed in float32; a token's row is
  // pad + (its index among the sequence's non-pad tokens, from 1), a pad token's row is
  // pad (a zero row). Never stored.
  kOffsetSinusoidal,
  // BART/mBART: model.*.embed_positions.weight, [max_position_embeddings + 2, d];
  // position p reads row p + 2.
  kLearned,
  // T5: no position embeddings; attention adds a learned bias per relative position
  // (engine/model/relative_position.h).
  kNone,
};

// The normalization of the blocks.
enum class NormKind {
  // (x - mean) / sqrt(var + eps) · weight + bias.
  kLayerNorm,
  // T5LayerNorm: x / sqrt(mean(x²) + eps) · weight; no mean, no bias.
  kRms,
};

// How the checkpoint names the weights of the layers.
enum class WeightNaming {
  // BART's modeling code (MarianMT, M2M100, BART, mBART): model.encoder.layers.N.self_attn.q_proj.
  kBart,
  // T5's: encoder.block.N.layer.0.SelfAttention.q.
  kT5,
};

// The switches of the encoder-decoder. Marian's values are the defaults.
struct Architecture {
  // Pre-LayerNorm blocks (x + f(LN(x))) instead of post-LayerNorm (LN(x + f(x))).
  bool pre_norm = false;
  // model.encoder.layer_norm and model.decoder.layer_norm after the last layer.
  bool final_layer_norm = false;
  // model.encoder.layernorm_embedding and model.decoder.layernorm_embedding after the
  // token and position embeddings.
  bool layernorm_embedding = false;
  PositionKind positions = PositionKind::kSinusoidal;
  NormKind norm = NormKind::kLayerNorm;
  // The projections have biases (T5's have none).
  bool linear_biases = true;
  // Attention scores are divided by sqrt(head_dim) (T5 leaves them unscaled: its
  // initialisation folds the factor into the query weights).
  bool scale_attention = true;
  // A decoder whose output projection is tied to the embeddings scales its last states
  // by d_model^-0.5 first (T5).
  bool scale_tied_output = false;
  WeightNaming naming = WeightNaming::kBart;
};

// The family of a config.json model_type ("marian", "m2m_100", "bart", "mbart", "t5", "mt5");
// INVALID_ARGUMENT naming the supported ones otherwise.
absl::StatusOr<ModelFamily> FamilyOfModelType(std::string_view model_type);
// The model_type a family is written as.
std::string_view ModelTypeName(ModelFamily family);
// What transformers' modeling code of the family builds.
Architecture ArchitectureOf(ModelFamily family);
// T5 and mT5: one architecture, config.json read with T5Config's field names.
inline bool IsT5Family(ModelFamily family) {
  return family == ModelFamily::kT5 || family == ModelFamily::kMT5;
}

struct ModelConfig;

// Resets `config` to the defaults of the family's transformers config class
// (MarianConfig, M2M100Config, BartConfig, MBartConfig, T5Config, MT5Config) and its
// architecture: what a
// config.json that leaves a field out means.
void SetFamilyDefaults(ModelFamily family, ModelConfig& config);

// The rows of a family's position table, and which row a position takes.
struct PositionTableLayout {
  int64_t rows;    // of the table
  int64_t offset;  // row of position 0 (for kOffsetSinusoidal: of the first non-pad token)
};
PositionTableLayout PositionLayout(PositionKind kind, int64_t max_position_embeddings,
                                   int64_t pad_token_id);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_MODEL_FAMILY_H_

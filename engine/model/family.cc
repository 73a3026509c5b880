#include "engine/model/family.h"

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "engine/model/config.h"

namespace tserve::engine {
namespace {

struct FamilyName {
  ModelFamily family;
  std::string_view model_type;
};

constexpr FamilyName kFamilies[] = {
    {ModelFamily::kMarian, "marian"}, {ModelFamily::kM2M100, "m2m_100"},
    {ModelFamily::kBart, "bart"},     {ModelFamily::kMBart, "mbart"},
    {ModelFamily::kT5, "t5"},         {ModelFamily::kMT5, "mt5"},
};

// T5Config's and MT5Config's defaults. Neither sets max_length, so generate() stops at
// GenerationConfig's default of 20 (the decoder start token counted).
void SetT5Defaults(ModelFamily family, ModelConfig& c) {
  const bool mt5 = family == ModelFamily::kMT5;
  c.vocab_size = mt5 ? 250112 : 32128;
  c.d_model = 512;
  c.head_dim = 64;
  c.encoder_ffn_dim = c.decoder_ffn_dim = mt5 ? 1024 : 2048;
  c.encoder_layers = c.decoder_layers = mt5 ? 8 : 6;
  c.encoder_attention_heads = c.decoder_attention_heads = mt5 ? 6 : 8;
  c.relative_attention_num_buckets = 32;
  c.relative_attention_max_distance = 128;
  c.layer_norm_eps = 1e-6f;
  c.activation_name = mt5 ? "gated-gelu" : "relu";
  c.tie_word_embeddings = !mt5;
  c.scale_embedding = false;
  c.max_length = 20;
  c.max_position_embeddings = kT5MaxPositions;
  c.pad_token_id = 0;
  c.eos_token_id = 1;
  c.decoder_start_token_id = 0;
  c.decoder_vocab_size = c.vocab_size;
}

}  // namespace

absl::StatusOr<ModelFamily> FamilyOfModelType(std::string_view model_type) {
  for (const FamilyName& f : kFamilies) {
    if (f.model_type == model_type) return f.family;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "model_type '%s' is not supported; expected one of marian, m2m_100, bart, mbart, t5, mt5",
      model_type));
}

std::string_view ModelTypeName(ModelFamily family) {
  for (const FamilyName& f : kFamilies) {
    if (f.family == family) return f.model_type;
  }
  return "?";
}

Architecture ArchitectureOf(ModelFamily family) {
  Architecture a;
  switch (family) {
    case ModelFamily::kMarian:
      break;
    case ModelFamily::kM2M100:
      a.pre_norm = true;
      a.final_layer_norm = true;
      a.positions = PositionKind::kOffsetSinusoidal;
      break;
    case ModelFamily::kBart:
      a.layernorm_embedding = true;
      a.positions = PositionKind::kLearned;
      break;
    case ModelFamily::kMBart:
      a.pre_norm = true;
      a.final_layer_norm = true;
      a.layernorm_embedding = true;
      a.positions = PositionKind::kLearned;
      break;
    case ModelFamily::kT5:
    case ModelFamily::kMT5:
      a.pre_norm = true;
      a.final_layer_norm = true;
      a.positions = PositionKind::kNone;
      a.norm = NormKind::kRms;
      a.linear_biases = false;
      a.scale_attention = false;
      a.scale_tied_output = true;
      a.naming = WeightNaming::kT5;
      break;
  }
  return a;
}

void SetFamilyDefaults(ModelFamily family, ModelConfig& c) {
  c = ModelConfig();  // MarianConfig's defaults
  c.family = family;
  c.architecture = ArchitectureOf(family);
  if (family == ModelFamily::kMarian) return;
  if (IsT5Family(family)) return SetT5Defaults(family, c);
  // M2M100Config, BartConfig and MBartConfig share these.
  c.d_model = 1024;
  c.encoder_layers = c.decoder_layers = 12;
  c.encoder_attention_heads = c.decoder_attention_heads = 16;
  c.encoder_ffn_dim = c.decoder_ffn_dim = 4096;
  c.max_position_embeddings = 1024;
  c.bos_token_id = 0;
  c.pad_token_id = 1;
  c.eos_token_id = 2;
  c.decoder_start_token_id = 2;
  switch (family) {
    case ModelFamily::kM2M100:
      c.vocab_size = 128112;
      c.activation_name = "relu";
      c.scale_embedding = true;
      break;
    case ModelFamily::kMBart:
      // MBartConfig sets no decoder_start_token_id: generate() then starts from bos.
      c.decoder_start_token_id = kUnsetTokenId;
      [[fallthrough]];
    case ModelFamily::kBart:
      c.vocab_size = 50265;
      c.activation_name = "gelu";
      c.scale_embedding = false;
      c.forced_eos_token_id = 2;
      break;
    case ModelFamily::kMarian:
    case ModelFamily::kT5:
    case ModelFamily::kMT5:
      break;
  }
  c.decoder_vocab_size = c.vocab_size;
}

PositionTableLayout PositionLayout(PositionKind kind, int64_t max_position_embeddings,
                                   int64_t pad_token_id) {
  switch (kind) {
    case PositionKind::kSinusoidal:
      return {max_position_embeddings, 0};
    case PositionKind::kOffsetSinusoidal:
      // transformers makes max_position_embeddings + 2 rows and grows the table on
      // demand; positions run up to pad + max_position_embeddings here.
      return {pad_token_id + 1 + max_position_embeddings, pad_token_id + 1};
    case PositionKind::kLearned:
      return {max_position_embeddings + 2, 2};
    case PositionKind::kNone:
      return {0, 0};
  }
  return {max_position_embeddings, 0};
}

}  // namespace tserve::engine

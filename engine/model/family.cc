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
    {ModelFamily::kMarian, "marian"},
    {ModelFamily::kM2M100, "m2m_100"},
    {ModelFamily::kBart, "bart"},
    {ModelFamily::kMBart, "mbart"},
};

}  // namespace

absl::StatusOr<ModelFamily> FamilyOfModelType(std::string_view model_type) {
  for (const FamilyName& f : kFamilies) {
    if (f.model_type == model_type) return f.family;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "model_type '%s' is not supported; expected one of marian, m2m_100, bart, mbart",
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
  }
  return a;
}

void SetFamilyDefaults(ModelFamily family, ModelConfig& c) {
  c = ModelConfig();  // MarianConfig's defaults
  c.family = family;
  c.architecture = ArchitectureOf(family);
  if (family == ModelFamily::kMarian) return;
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
  }
  return {max_position_embeddings, 0};
}

}  // namespace tserve::engine

#include "engine/model/config_t5.h"

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace tserve::engine {
namespace {

using json_fields::Json;

// feed_forward_proj: "ACT" or "gated-ACT", as T5Config parses it; "gated-gelu" means
// gelu_new (the tanh approximation), a plain "gelu" the exact one.
absl::Status ParseFeedForward(ModelConfig& c) {
  const std::string& proj = c.activation_name;
  std::vector<std::string> parts = absl::StrSplit(proj, '-');
  const bool gated = parts.size() == 2 && parts[0] == "gated";
  if (parts.size() > 2 || (parts.size() == 2 && !gated)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "feed_forward_proj '%s' is not valid: expected 'ACT' or 'gated-ACT'", proj));
  }
  const std::string act = proj == "gated-gelu" ? "gelu_new" : parts.back();
  c.gated_ffn = gated;
  if (act == "relu") {
    c.activation = Activation::kRelu;
  } else if (act == "gelu") {
    c.activation = Activation::kGelu;
  } else if (act == "gelu_new" || act == "gelu_pytorch_tanh") {
    c.activation = Activation::kGeluTanh;
  } else if (act == "silu" || act == "swish") {
    c.activation = Activation::kSwish;
  } else {
    return absl::InvalidArgumentError(absl::StrFormat(
        "feed_forward_proj '%s': activation '%s' is not supported; expected relu, gelu, "
        "gelu_new, silu or swish (optionally 'gated-')",
        proj, act));
  }
  return absl::OkStatus();
}

// architectures ["T5EncoderModel"]: a checkpoint without a decoder.
absl::Status ReadEncoderOnly(const Json& obj, ModelConfig& c) {
  auto it = obj.find("architectures");
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_array()) return json_fields::TypeError("architectures", "a list", *it);
  for (const Json& name : *it) {
    if (name.is_string() && (name.get<std::string>() == "T5EncoderModel" ||
                             name.get<std::string>() == "MT5EncoderModel")) {
      c.encoder_only = true;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadT5ConfigFields(const Json& obj, ModelConfig& c) {
  int64_t num_layers = c.encoder_layers;
  int64_t num_heads = c.encoder_attention_heads;
  int64_t d_ff = c.encoder_ffn_dim;
  struct IntField {
    const char* key;
    int64_t* out;
  };
  const IntField ints[] = {
      {"vocab_size", &c.vocab_size},
      {"d_model", &c.d_model},
      {"d_kv", &c.head_dim},
      {"d_ff", &d_ff},
      {"num_layers", &num_layers},
      {"num_heads", &num_heads},
      {"relative_attention_num_buckets", &c.relative_attention_num_buckets},
      {"relative_attention_max_distance", &c.relative_attention_max_distance},
      {"pad_token_id", &c.pad_token_id},
      {"decoder_start_token_id", &c.decoder_start_token_id},
  };
  for (const IntField& f : ints) {
    if (absl::Status s = json_fields::ReadInt(obj, f.key, *f.out, true); !s.ok()) return s;
  }
  // num_decoder_layers: None means num_layers.
  int64_t decoder_layers = num_layers;
  if (absl::Status s = json_fields::ReadInt(obj, "num_decoder_layers", decoder_layers, true);
      !s.ok()) {
    return s;
  }
  c.encoder_layers = num_layers;
  c.decoder_layers = decoder_layers;
  c.encoder_attention_heads = c.decoder_attention_heads = num_heads;
  c.encoder_ffn_dim = c.decoder_ffn_dim = d_ff;
  c.decoder_vocab_size = c.vocab_size;
  std::optional<int64_t> eos;
  if (absl::Status s = json_fields::ReadTokenId(obj, "eos_token_id", eos); !s.ok()) return s;
  if (eos) c.eos_token_id = *eos;
  if (absl::Status s = json_fields::ReadFloat(obj, "layer_norm_epsilon", c.layer_norm_eps, true);
      !s.ok()) {
    return s;
  }
  if (!(c.layer_norm_eps > 0)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("layer_norm_epsilon must be positive, got %g", c.layer_norm_eps));
  }
  if (absl::Status s = json_fields::ReadBool(obj, "tie_word_embeddings", c.tie_word_embeddings);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = json_fields::ReadString(obj, "feed_forward_proj", c.activation_name);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ParseFeedForward(c); !s.ok()) return s;
  if (absl::Status s = ReadEncoderOnly(obj, c); !s.ok()) return s;
  if (c.head_dim <= 0 || c.head_dim > json_fields::kMaxSize) {
    return absl::InvalidArgumentError(absl::StrFormat("d_kv must be positive, got %d", c.head_dim));
  }
  // The bucketing takes the log of distance / max_exact, max_exact being a quarter
  // (encoder) or half (decoder) of the buckets.
  if (c.relative_attention_num_buckets < 2 ||
      c.relative_attention_max_distance <= c.relative_attention_num_buckets / 2) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "relative_attention_num_buckets %d and relative_attention_max_distance %d: need at "
        "least 2 buckets and a distance above half the buckets",
        c.relative_attention_num_buckets, c.relative_attention_max_distance));
  }
  return absl::OkStatus();
}

}  // namespace tserve::engine

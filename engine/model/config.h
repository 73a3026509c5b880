// The model configuration of a Hugging Face encoder-decoder directory (MarianMT,
// M2M100/NLLB, BART/mBART): config.json plus the optional generation_config.json.
// Defaults are those of the family's transformers config class (engine/model/family.h,
// docs/semantics.md).
#ifndef TSERVE_ENGINE_MODEL_CONFIG_H_
#define TSERVE_ENGINE_MODEL_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model/family.h"

namespace tserve::engine {

enum class Activation {
  kRelu,
  kSwish,
  kGelu,
  // gelu_new: 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))), T5 v1.1's "gated-gelu".
  kGeluTanh,
};

// A token id a family leaves unset (MBartConfig's decoder_start_token_id).
inline constexpr int64_t kUnsetTokenId = -1;

// T5 has no position table; relative positions are bucketed without a limit. tserve
// computes its bias tables for sequences of up to this many tokens.
inline constexpr int64_t kT5MaxPositions = 4096;

struct ModelConfig {
  // From model_type (absent: marian); the architecture is the family's.
  ModelFamily family = ModelFamily::kMarian;
  Architecture architecture;
  int64_t vocab_size = 58101;
  int64_t decoder_vocab_size = 58101;
  int64_t d_model = 1024;
  int64_t encoder_layers = 12;
  int64_t decoder_layers = 12;
  int64_t encoder_attention_heads = 16;
  int64_t decoder_attention_heads = 16;
  int64_t encoder_ffn_dim = 4096;
  int64_t decoder_ffn_dim = 4096;
  int64_t max_position_embeddings = 1024;
  // Width of one attention head; 0 means d_model / heads. T5's d_kv, where
  // heads · head_dim need not equal d_model.
  int64_t head_dim = 0;
  // T5's relative position buckets (0 for the other families).
  int64_t relative_attention_num_buckets = 0;
  int64_t relative_attention_max_distance = 0;
  Activation activation = Activation::kGelu;
  // The feed-forward block multiplies activation(x·W0) by x·W1 before its output
  // projection (T5's "gated-gelu", "gated-silu").
  bool gated_ffn = false;
  std::string activation_name = "gelu";  // as in the file (T5: feed_forward_proj)
  // The checkpoint holds an encoder only (T5EncoderModel: sentence-T5, GTR); it
  // serves Encode, never Translate.
  bool encoder_only = false;
  bool scale_embedding = false;
  bool share_encoder_decoder_embeddings = true;
  bool tie_word_embeddings = true;
  int64_t bos_token_id = 0;  // used only as the decoder start when none is given
  int64_t pad_token_id = 58100;
  int64_t eos_token_id = 0;
  int64_t decoder_start_token_id = 58100;
  float layer_norm_eps = 1e-5f;  // fixed in Marian; T5's layer_norm_epsilon
  // From generation_config.json when present, else from config.json, else these defaults.
  int64_t num_beams = 1;     // default beam size
  int64_t max_length = 512;  // HF counts the start token: the engine allows max_length - 1
                             // generated tokens
  float length_penalty = 1.0f;
  // Hugging Face's min_length counts the start token: eos is banned while fewer than
  // min_length - 1 tokens have been generated.
  int64_t min_length = 0;
  // bad_words_ids: token sequences never generated. A sequence of one token bans it at
  // every step; a longer one bans its last token right after the others. Sequences
  // equal to [eos] are dropped, as transformers drops them.
  std::vector<std::vector<int32_t>> bad_words_ids;
  // forced_bos_token_id: the first generated token, forced with log-probability 0
  // (transformers' ForcedBOSTokenLogitsProcessor); a request may name another.
  std::optional<int64_t> forced_bos_token_id;
  // The token forced at the last step a hypothesis can take (max_length).
  std::optional<int64_t> forced_eos_token_id;
  // true: log-probabilities are normalised after the logits are masked (bad words,
  // min_length, forced eos); false (Hugging Face's default): normalised first, so the
  // masked tokens' probability is not given to the others. Changes beam search.
  bool renormalize_logits = false;
  // Generation fields found in the files that change Hugging Face's output but that
  // tserve does not apply, as "name=value" (docs/semantics.md lists them).
  std::vector<std::string> ignored_generation_fields;

  // True when the decoder has its own vocabulary; the tokenizer then reads target_vocab.json.
  bool separate_vocabs() const { return !share_encoder_decoder_embeddings; }
  int64_t target_vocab_size() const { return decoder_vocab_size; }
  // Width of the attention heads side by side: the queries, keys and values of a row.
  int64_t encoder_attention_dim() const {
    return head_dim > 0 ? head_dim * encoder_attention_heads : d_model;
  }
  int64_t decoder_attention_dim() const {
    return head_dim > 0 ? head_dim * decoder_attention_heads : d_model;
  }
};

// Name of an activation as accepted in config.json ("relu", "swish", "gelu", "gelu_new").
std::string_view ActivationName(Activation a);

// Parses and validates config.json text and, unless empty, generation_config.json text.
absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view config_json,
                                             std::string_view generation_config_json = "");

// Reads <model_dir>/config.json and <model_dir>/generation_config.json when it exists.
absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& model_dir);

namespace internal {

// Describes why `text` is not valid JSON, with the byte position of the error, e.g.
// "invalid JSON at byte 12: syntax error while parsing value - invalid literal; last read:
// 'tru'". Call only after a parse failed; shared by the JSON readers of the engine.
std::string DescribeJsonSyntaxError(std::string_view text);

// Reads a whole file. NOT_FOUND when it does not exist; errors name the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace internal
}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_MODEL_CONFIG_H_

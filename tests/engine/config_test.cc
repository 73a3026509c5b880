#include "engine/model/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/decode/decoding_options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::engine {
namespace {

using ::testing::HasSubstr;

// The config.json of Helsinki-NLP/opus-mt-en-de, trimmed of training-only fields.
constexpr char kOpusMtConfig[] = R"({
  "_name_or_path": "Helsinki-NLP/opus-mt-en-de",
  "activation_dropout": 0.0,
  "activation_function": "swish",
  "add_bias_logits": false,
  "add_final_layer_norm": false,
  "architectures": ["MarianMTModel"],
  "bad_words_ids": [[58100]],
  "bos_token_id": 0,
  "d_model": 512,
  "decoder_attention_heads": 8,
  "decoder_ffn_dim": 2048,
  "decoder_layers": 6,
  "decoder_start_token_id": 58100,
  "decoder_vocab_size": 58101,
  "dropout": 0.1,
  "encoder_attention_heads": 8,
  "encoder_ffn_dim": 2048,
  "encoder_layers": 6,
  "eos_token_id": 0,
  "id2label": {"0": "LABEL_0"},
  "init_std": 0.02,
  "is_encoder_decoder": true,
  "max_length": 512,
  "max_position_embeddings": 512,
  "model_type": "marian",
  "normalize_before": false,
  "normalize_embedding": false,
  "num_beams": 4,
  "num_hidden_layers": 6,
  "pad_token_id": 58100,
  "scale_embedding": true,
  "share_encoder_decoder_embeddings": true,
  "static_position_embeddings": true,
  "transformers_version": "4.22.0.dev0",
  "use_cache": true,
  "vocab_size": 58101
})";

// A small valid config to which each error test adds one bad field.
std::string Small(const std::string& extra = "") {
  std::string json = R"({"vocab_size": 100, "d_model": 48, "encoder_attention_heads": 4,
      "decoder_attention_heads": 6, "pad_token_id": 99, "decoder_start_token_id": 99)";
  if (!extra.empty()) json += ", " + extra;
  return json + "}";
}

absl::Status ConfigError(const std::string& config, const std::string& generation = "") {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(config, generation);
  EXPECT_FALSE(c.ok()) << "accepted an invalid config";
  if (c.ok()) return absl::OkStatus();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  return c.status();
}

TEST(ConfigTest, DefaultsAreThoseOfMarianConfig) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig("{}");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->vocab_size, 58101);
  EXPECT_EQ(c->decoder_vocab_size, 58101);
  EXPECT_EQ(c->d_model, 1024);
  EXPECT_EQ(c->encoder_layers, 12);
  EXPECT_EQ(c->decoder_layers, 12);
  EXPECT_EQ(c->encoder_attention_heads, 16);
  EXPECT_EQ(c->decoder_attention_heads, 16);
  EXPECT_EQ(c->encoder_ffn_dim, 4096);
  EXPECT_EQ(c->decoder_ffn_dim, 4096);
  EXPECT_EQ(c->max_position_embeddings, 1024);
  EXPECT_EQ(c->activation, Activation::kGelu);
  EXPECT_EQ(c->activation_name, "gelu");
  EXPECT_FALSE(c->scale_embedding);
  EXPECT_TRUE(c->share_encoder_decoder_embeddings);
  EXPECT_TRUE(c->tie_word_embeddings);
  EXPECT_FALSE(c->separate_vocabs());
  EXPECT_EQ(c->pad_token_id, 58100);
  EXPECT_EQ(c->eos_token_id, 0);
  EXPECT_EQ(c->decoder_start_token_id, 58100);
  EXPECT_FLOAT_EQ(c->layer_norm_eps, 1e-5f);
  EXPECT_EQ(c->num_beams, 1);
  EXPECT_EQ(c->max_length, 512);
  EXPECT_FLOAT_EQ(c->length_penalty, 1.0f);
}

TEST(ConfigTest, OpusMtConfig) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(kOpusMtConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->d_model, 512);
  EXPECT_EQ(c->encoder_layers, 6);
  EXPECT_EQ(c->decoder_attention_heads, 8);
  EXPECT_EQ(c->encoder_ffn_dim, 2048);
  EXPECT_EQ(c->max_position_embeddings, 512);
  EXPECT_EQ(c->activation, Activation::kSwish);
  EXPECT_EQ(c->activation_name, "swish");
  EXPECT_TRUE(c->scale_embedding);
  EXPECT_EQ(c->target_vocab_size(), 58101);
  EXPECT_EQ(c->num_beams, 4);
  EXPECT_EQ(c->max_length, 512);
}

TEST(ConfigTest, DecoderVocabSizeDefaultsToVocabSize) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(Small());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->decoder_vocab_size, 100);
  c = ParseModelConfig(Small(R"("decoder_vocab_size": null)"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->decoder_vocab_size, 100);
}

TEST(ConfigTest, SeparateVocabularies) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(
      Small(R"("decoder_vocab_size": 120, "share_encoder_decoder_embeddings": false)"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->separate_vocabs());
  EXPECT_EQ(c->target_vocab_size(), 120);
  EXPECT_EQ(c->vocab_size, 100);
}

TEST(ConfigTest, ActivationNames) {
  for (const auto& [name, act] :
       {std::pair{"swish", Activation::kSwish}, std::pair{"silu", Activation::kSwish},
        std::pair{"relu", Activation::kRelu}, std::pair{"gelu", Activation::kGelu}}) {
    absl::StatusOr<ModelConfig> c =
        ParseModelConfig(Small(std::string("\"activation_function\": \"") + name + "\""));
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->activation, act) << name;
    EXPECT_EQ(c->activation_name, name);
  }
  EXPECT_EQ(ActivationName(Activation::kSwish), "swish");
  EXPECT_THAT(ConfigError(Small(R"("activation_function": "tanh")")).message(),
              HasSubstr("activation_function 'tanh' is not supported; expected one of swish, "
                        "silu, relu, gelu"));
}

TEST(ConfigTest, GenerationConfigOverridesConfigJson) {
  absl::StatusOr<ModelConfig> c =
      ParseModelConfig(kOpusMtConfig, R"({"num_beams": 6, "max_length": 200, "length_penalty": 0.6,
                         "bad_words_ids": [[58100]], "decoder_start_token_id": 58100})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_beams, 6);
  EXPECT_EQ(c->max_length, 200);
  EXPECT_FLOAT_EQ(c->length_penalty, 0.6f);

  // Fields the generation config leaves out (or sets to null) keep config.json's values.
  c = ParseModelConfig(kOpusMtConfig, R"({"length_penalty": 2, "max_length": null})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_beams, 4);
  EXPECT_EQ(c->max_length, 512);
  EXPECT_FLOAT_EQ(c->length_penalty, 2.0f);
}

TEST(ConfigTest, GenerationRulesFromEitherFile) {
  // OPUS-MT's config.json: bad_words_ids [[pad]], no forced eos, no renormalisation.
  absl::StatusOr<ModelConfig> c = ParseModelConfig(kOpusMtConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bad_words_ids, (std::vector<std::vector<int32_t>>{{58100}}));
  EXPECT_FALSE(c->forced_eos_token_id.has_value());
  EXPECT_FALSE(c->renormalize_logits);
  EXPECT_EQ(c->min_length, 0);
  EXPECT_TRUE(c->ignored_generation_fields.empty());

  // opus-mt-tc-big's generation_config.json, plus a sequence and the [eos] that
  // transformers drops, and fields tserve does not apply.
  c = ParseModelConfig(kOpusMtConfig, R"({"bad_words_ids": [[58100], [0], [5, 7]],
      "forced_eos_token_id": [0], "renormalize_logits": true, "min_length": 3,
      "eos_token_id": [0], "no_repeat_ngram_size": 3, "top_k": 50, "do_sample": false,
      "repetition_penalty": 1.2})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bad_words_ids, (std::vector<std::vector<int32_t>>{{58100}, {5, 7}}));
  ASSERT_TRUE(c->forced_eos_token_id.has_value());
  EXPECT_EQ(*c->forced_eos_token_id, 0);
  EXPECT_TRUE(c->renormalize_logits);
  EXPECT_EQ(c->min_length, 3);
  EXPECT_EQ(c->ignored_generation_fields,
            (std::vector<std::string>{"repetition_penalty=1.2", "no_repeat_ngram_size=3"}));

  // Special ids that are not 0/1 (opus-mt-tc-big-en-pt).
  c = ParseModelConfig(R"({"vocab_size": 54776, "d_model": 64, "encoder_attention_heads": 4,
      "decoder_attention_heads": 4, "pad_token_id": 54775, "decoder_start_token_id": 54775,
      "eos_token_id": 44670, "forced_eos_token_id": 44670})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->eos_token_id, 44670);
  EXPECT_EQ(*c->forced_eos_token_id, 44670);
}

TEST(ConfigTest, GenerationRuleErrorsNameTheFileAndField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"bad_words_ids": [[]]})", "bad_words_ids must be a list of non-empty lists"},
      {R"({"bad_words_ids": 5})", "bad_words_ids must be a list of lists of token ids"},
      {R"({"bad_words_ids": [[-1]]})", "bad_words_ids holds -1"},
      {R"({"bad_words_ids": [[58101]]})", "bad_words_ids holds token 58101, outside the target"},
      {R"({"forced_eos_token_id": [0, 1]})", "forced_eos_token_id lists 2 tokens"},
      {R"({"forced_eos_token_id": 5})", "forced_eos_token_id 5 differs from eos_token_id 0"},
      {R"({"eos_token_id": "x"})", "eos_token_id must be an integer, got string"},
      {R"({"renormalize_logits": 1})", "renormalize_logits must be a boolean"},
      {R"({"min_length": -1})", "min_length must be in [0"},
  };
  for (const auto& [generation, message] : cases) {
    absl::StatusOr<ModelConfig> c = ParseModelConfig(kOpusMtConfig, generation);
    ASSERT_FALSE(c.ok()) << generation;
    EXPECT_THAT(c.status().message(), HasSubstr("generation_config.json: ")) << generation;
    EXPECT_THAT(c.status().message(), HasSubstr(message)) << generation;
  }
}

TEST(ConfigTest, TargetPrefixMayNotHoldBannedTokens) {
  absl::StatusOr<ModelConfig> c =
      ParseModelConfig(kOpusMtConfig, R"({"bad_words_ids": [[58100], [9], [5, 7]]})");
  ASSERT_TRUE(c.ok()) << c.status();
  DecodingOptions options;
  options.target_prefix = {5, 6, 7};  // 7 follows 6, not 5
  EXPECT_TRUE(options.Validate(*c).ok());
  options.target_prefix = {3, 9};
  EXPECT_THAT(options.Validate(*c).message(),
              HasSubstr("target prefix token 9 is banned by the model's bad_words_ids"));
  options.target_prefix = {5, 7};
  EXPECT_THAT(options.Validate(*c).message(), HasSubstr("target prefix token 7 is banned"));
}

TEST(ConfigTest, InvalidJsonReportsBytePosition) {
  absl::Status s = ConfigError(R"({"d_model": 512,, "x": 1})");
  EXPECT_THAT(s.message(), HasSubstr("config.json: invalid JSON at byte 17"));
  EXPECT_THAT(s.message(), HasSubstr("syntax error"));
  EXPECT_THAT(ConfigError("").message(), HasSubstr("invalid JSON at byte"));
  EXPECT_THAT(ConfigError(R"({"a": tru})").message(), HasSubstr("invalid literal"));
  EXPECT_THAT(ConfigError("{}", "{").message(),
              HasSubstr("generation_config.json: invalid JSON at byte"));
}

TEST(ConfigTest, NotAnObject) {
  EXPECT_THAT(ConfigError("[1, 2]").message(),
              HasSubstr("config.json: must be a JSON object, got array"));
  EXPECT_THAT(ConfigError("{}", "7").message(),
              HasSubstr("generation_config.json: must be a JSON object, got integer"));
}

TEST(ConfigTest, WrongJsonTypes) {
  EXPECT_THAT(ConfigError(R"({"d_model": "512"})").message(),
              HasSubstr("d_model must be an integer, got string"));
  EXPECT_THAT(ConfigError(R"({"d_model": 512.0})").message(),
              HasSubstr("d_model must be an integer, got float"));
  EXPECT_THAT(ConfigError(R"({"pad_token_id": null})").message(),
              HasSubstr("pad_token_id must be an integer, got null"));
  EXPECT_THAT(ConfigError(R"({"scale_embedding": 1})").message(),
              HasSubstr("scale_embedding must be a boolean, got integer"));
  EXPECT_THAT(ConfigError(R"({"activation_function": ["swish"]})").message(),
              HasSubstr("activation_function must be a string, got array"));
  EXPECT_THAT(ConfigError(R"({"length_penalty": "1.0"})").message(),
              HasSubstr("length_penalty must be a number, got string"));
  EXPECT_THAT(ConfigError(R"({"length_penalty": 1e300})").message(),
              HasSubstr("length_penalty is out of range"));
  EXPECT_THAT(ConfigError(R"({"vocab_size": 18446744073709551615})").message(),
              HasSubstr("vocab_size is too large"));
  EXPECT_THAT(ConfigError("{}", R"({"num_beams": true})").message(),
              HasSubstr("generation_config.json: num_beams must be an integer, got boolean"));
}

TEST(ConfigTest, SizesMustBePositive) {
  EXPECT_THAT(ConfigError(Small(R"("encoder_layers": 0)")).message(),
              HasSubstr("encoder_layers must be in [1, 2147483647], got 0"));
  EXPECT_THAT(ConfigError(Small(R"("decoder_ffn_dim": -5)")).message(),
              HasSubstr("decoder_ffn_dim must be in [1, 2147483647], got -5"));
  EXPECT_THAT(ConfigError(R"({"vocab_size": 4294967296})").message(),
              HasSubstr("vocab_size must be in [1, 2147483647]"));
  EXPECT_THAT(ConfigError(Small(R"("num_beams": 0)")).message(),
              HasSubstr("config.json: num_beams must be in [1"));
  EXPECT_THAT(ConfigError(Small(), R"({"max_length": -1})").message(),
              HasSubstr("generation_config.json: max_length must be in [1"));
}

TEST(ConfigTest, DModelDivisibleByHeads) {
  EXPECT_THAT(ConfigError(Small(R"("encoder_attention_heads": 5)")).message(),
              HasSubstr("d_model (48) must be divisible by encoder_attention_heads (5)"));
  EXPECT_THAT(ConfigError(Small(R"("decoder_attention_heads": 7)")).message(),
              HasSubstr("d_model (48) must be divisible by decoder_attention_heads (7)"));
}

TEST(ConfigTest, TokenIdsWithinVocabularies) {
  // The default pad id 58100 does not fit a 100-piece vocabulary.
  EXPECT_THAT(ConfigError(R"({"vocab_size": 100, "d_model": 48, "encoder_attention_heads": 4,
                              "decoder_attention_heads": 4})")
                  .message(),
              HasSubstr("pad_token_id 58100 is outside the vocabulary"));
  EXPECT_THAT(ConfigError(Small(R"("eos_token_id": -1)")).message(),
              HasSubstr("eos_token_id -1 is outside the vocabulary"));
  // pad must fit the smaller of the two vocabularies.
  EXPECT_THAT(
      ConfigError(Small(R"("decoder_vocab_size": 50, "decoder_start_token_id": 10)")).message(),
      HasSubstr("pad_token_id 99 is outside the vocabulary: must be in [0, "
                "min(vocab_size, decoder_vocab_size) = 50)"));
  EXPECT_THAT(
      ConfigError(Small(R"("decoder_vocab_size": 120, "decoder_start_token_id": 120)")).message(),
      HasSubstr("decoder_start_token_id 120 is outside the vocabulary: must be in [0, "
                "decoder_vocab_size = 120)"));
}

TEST(ConfigTest, UnsupportedArchitectureFlags) {
  EXPECT_THAT(ConfigError(Small(R"("normalize_before": true)")).message(),
              HasSubstr("normalize_before: true is not supported"));
  EXPECT_THAT(ConfigError(Small(R"("normalize_embedding": true)")).message(),
              HasSubstr("normalize_embedding: true is not supported"));
  EXPECT_THAT(ConfigError(Small(R"("normalize_before": "no")")).message(),
              HasSubstr("normalize_before must be a boolean, got string"));
  EXPECT_THAT(ConfigError(Small(R"("model_type": "pegasus")")).message(),
              HasSubstr("model_type 'pegasus' is not supported; expected one of marian, "
                        "m2m_100, bart, mbart, t5, mt5"));
  // Flags that contradict what the family's modeling code builds.
  EXPECT_THAT(ConfigError(R"({"model_type": "m2m_100", "normalize_before": false})").message(),
              HasSubstr("normalize_before: false is not supported; m2m_100 models"));
  EXPECT_THAT(ConfigError(R"({"model_type": "bart", "add_final_layer_norm": true})").message(),
              HasSubstr("add_final_layer_norm: true is not supported; bart models"));
}

// facebook/nllb-200-distilled-600M's config.json (training-only fields left out).
constexpr char kNllbConfig[] = R"({
  "activation_function": "relu",
  "architectures": ["M2M100ForConditionalGeneration"],
  "bos_token_id": 0,
  "d_model": 1024,
  "decoder_attention_heads": 16,
  "decoder_ffn_dim": 4096,
  "decoder_layers": 12,
  "decoder_start_token_id": 2,
  "encoder_attention_heads": 16,
  "encoder_ffn_dim": 4096,
  "encoder_layers": 12,
  "eos_token_id": 2,
  "is_encoder_decoder": true,
  "max_length": 200,
  "max_position_embeddings": 1024,
  "model_type": "m2m_100",
  "pad_token_id": 1,
  "scale_embedding": true,
  "tokenizer_class": "NllbTokenizer",
  "vocab_size": 256206
})";

TEST(ConfigTest, FamiliesSetTheArchitecture) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(kNllbConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->family, ModelFamily::kM2M100);
  EXPECT_TRUE(c->architecture.pre_norm);
  EXPECT_TRUE(c->architecture.final_layer_norm);
  EXPECT_FALSE(c->architecture.layernorm_embedding);
  EXPECT_EQ(c->architecture.positions, PositionKind::kOffsetSinusoidal);
  EXPECT_EQ(c->activation, Activation::kRelu);
  EXPECT_TRUE(c->scale_embedding);
  EXPECT_EQ(c->pad_token_id, 1);
  EXPECT_EQ(c->eos_token_id, 2);
  EXPECT_EQ(c->decoder_start_token_id, 2);
  EXPECT_EQ(c->vocab_size, 256206);
  EXPECT_EQ(c->decoder_vocab_size, 256206);
  EXPECT_FALSE(c->separate_vocabs());
  EXPECT_FALSE(c->forced_eos_token_id.has_value());
  EXPECT_FALSE(c->forced_bos_token_id.has_value());

  // M2M100Config's defaults fill what the file leaves out.
  c = ParseModelConfig(R"({"model_type": "m2m_100", "d_model": 64,
      "encoder_attention_heads": 4, "decoder_attention_heads": 4})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->vocab_size, 128112);
  EXPECT_EQ(c->activation_name, "relu");
  EXPECT_TRUE(c->scale_embedding);
  EXPECT_EQ(c->decoder_start_token_id, 2);

  // BART: post-LayerNorm with the embedding LayerNorm, learned positions, forced eos
  // (BartConfig's default), unscaled embeddings; the fairseq flags agree.
  c = ParseModelConfig(R"({"model_type": "bart", "d_model": 64, "encoder_attention_heads": 4,
      "decoder_attention_heads": 4, "vocab_size": 300, "normalize_before": false,
      "add_final_layer_norm": false, "normalize_embedding": true})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->family, ModelFamily::kBart);
  EXPECT_FALSE(c->architecture.pre_norm);
  EXPECT_FALSE(c->architecture.final_layer_norm);
  EXPECT_TRUE(c->architecture.layernorm_embedding);
  EXPECT_EQ(c->architecture.positions, PositionKind::kLearned);
  EXPECT_FALSE(c->scale_embedding);
  EXPECT_EQ(c->activation, Activation::kGelu);
  ASSERT_TRUE(c->forced_eos_token_id.has_value());
  EXPECT_EQ(*c->forced_eos_token_id, 2);

  // mBART: pre-LayerNorm with every norm; MBartConfig has no decoder_start_token_id,
  // so decoding starts from bos.
  c = ParseModelConfig(R"({"model_type": "mbart", "d_model": 64, "encoder_attention_heads": 4,
      "decoder_attention_heads": 4, "vocab_size": 300, "bos_token_id": 5})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->architecture.pre_norm);
  EXPECT_TRUE(c->architecture.final_layer_norm);
  EXPECT_TRUE(c->architecture.layernorm_embedding);
  EXPECT_EQ(c->decoder_start_token_id, 5);

  // Marian keeps its defaults and architecture.
  c = ParseModelConfig(Small());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->family, ModelFamily::kMarian);
  EXPECT_FALSE(c->architecture.pre_norm);
  EXPECT_EQ(c->architecture.positions, PositionKind::kSinusoidal);
}

// google/flan-t5-small's config.json (d_kv · num_heads = 384 != d_model = 512).
constexpr const char* kFlanT5SmallConfig = R"({
  "architectures": ["T5ForConditionalGeneration"],
  "d_ff": 1024,
  "d_kv": 64,
  "d_model": 512,
  "decoder_start_token_id": 0,
  "dense_act_fn": "gelu_new",
  "dropout_rate": 0.1,
  "eos_token_id": 1,
  "feed_forward_proj": "gated-gelu",
  "initializer_factor": 1.0,
  "is_encoder_decoder": true,
  "is_gated_act": true,
  "layer_norm_epsilon": 1e-06,
  "model_type": "t5",
  "n_positions": 512,
  "num_decoder_layers": 8,
  "num_heads": 6,
  "num_layers": 8,
  "output_past": true,
  "pad_token_id": 0,
  "relative_attention_max_distance": 128,
  "relative_attention_num_buckets": 32,
  "tie_word_embeddings": false,
  "torch_dtype": "float32",
  "transformers_version": "4.23.1",
  "use_cache": true,
  "vocab_size": 32128
})";

TEST(ConfigTest, T5FamilyReadsT5ConfigFields) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(kFlanT5SmallConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->family, ModelFamily::kT5);
  EXPECT_EQ(c->architecture.norm, NormKind::kRms);
  EXPECT_EQ(c->architecture.positions, PositionKind::kNone);
  EXPECT_TRUE(c->architecture.pre_norm);
  EXPECT_FALSE(c->architecture.linear_biases);
  EXPECT_FALSE(c->architecture.scale_attention);
  EXPECT_EQ(c->d_model, 512);
  EXPECT_EQ(c->head_dim, 64);
  EXPECT_EQ(c->encoder_attention_dim(), 384);
  EXPECT_EQ(c->decoder_attention_dim(), 384);
  EXPECT_EQ(c->encoder_layers, 8);
  EXPECT_EQ(c->decoder_layers, 8);
  EXPECT_EQ(c->encoder_ffn_dim, 1024);
  EXPECT_TRUE(c->gated_ffn);
  EXPECT_EQ(c->activation, Activation::kGeluTanh);
  EXPECT_FALSE(c->tie_word_embeddings);
  EXPECT_FLOAT_EQ(c->layer_norm_eps, 1e-6f);
  EXPECT_EQ(c->relative_attention_num_buckets, 32);
  EXPECT_EQ(c->relative_attention_max_distance, 128);
  EXPECT_EQ(c->pad_token_id, 0);
  EXPECT_EQ(c->eos_token_id, 1);
  EXPECT_EQ(c->decoder_start_token_id, 0);
  EXPECT_EQ(c->max_length, 20);  // GenerationConfig's default: T5 configs set none
  EXPECT_FALSE(c->encoder_only);

  // T5 v1.0 (t5-small): relu, tied; num_decoder_layers defaults to num_layers.
  c = ParseModelConfig(R"({"model_type": "t5", "d_model": 64, "d_kv": 16, "num_heads": 4,
      "d_ff": 128, "num_layers": 3, "vocab_size": 300})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->decoder_layers, 3);
  EXPECT_FALSE(c->gated_ffn);
  EXPECT_EQ(c->activation, Activation::kRelu);
  EXPECT_TRUE(c->tie_word_embeddings);

  // MT5Config's defaults: gated-gelu, untied.
  c = ParseModelConfig(R"({"model_type": "mt5", "d_model": 64, "d_kv": 16, "num_heads": 4,
      "d_ff": 128, "num_layers": 2, "vocab_size": 300})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->family, ModelFamily::kMT5);
  EXPECT_TRUE(c->gated_ffn);
  EXPECT_FALSE(c->tie_word_embeddings);

  // sentence-T5: the encoder alone.
  c = ParseModelConfig(R"({"model_type": "t5", "architectures": ["T5EncoderModel"],
      "d_model": 64, "d_kv": 16, "num_heads": 4, "d_ff": 128, "num_layers": 2,
      "vocab_size": 300})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->encoder_only);

  for (const char* bad : {R"("feed_forward_proj": "gated-tanh")", R"("feed_forward_proj": "a-b")",
                          R"("feed_forward_proj": "gated-gelu-x")", R"("d_kv": 0)",
                          R"("relative_attention_max_distance": 8)"}) {
    c = ParseModelConfig(absl::StrCat(R"({"model_type": "t5", "vocab_size": 300, )", bad, "}"));
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ConfigTest, ForcedBosTokenFromEitherFile) {
  absl::StatusOr<ModelConfig> c =
      ParseModelConfig(kNllbConfig, R"({"forced_bos_token_id": 256047})");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->forced_bos_token_id.has_value());
  EXPECT_EQ(*c->forced_bos_token_id, 256047);
  EXPECT_TRUE(c->ignored_generation_fields.empty());
  c = ParseModelConfig(Small(R"("forced_bos_token_id": 7)"), R"({"forced_bos_token_id": null})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->forced_bos_token_id.has_value());
  EXPECT_THAT(ConfigError(Small(R"("forced_bos_token_id": 100)")).message(),
              HasSubstr("forced_bos_token_id 100 is outside the target vocabulary of 100"));
}

TEST(ConfigTest, ForcedFirstTokenOption) {
  absl::StatusOr<ModelConfig> c = ParseModelConfig(kNllbConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  DecodingOptions options;
  options.max_length = 3;
  options.forced_first_token = 256047;
  options.target_prefix = {10};
  EXPECT_TRUE(options.Validate(*c).ok());
  options.target_prefix = {10, 11};
  EXPECT_THAT(options.Validate(*c).message(), HasSubstr("after the forced first token"));
  options.target_prefix.clear();
  for (int32_t bad : {-1, 1, 2, 256206}) {
    options.forced_first_token = bad;
    EXPECT_THAT(options.Validate(*c).message(),
                HasSubstr("must be a token of the target vocabulary other than pad and eos"))
        << bad;
  }
}

class LoadModelConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/config_test_" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }

  std::string dir_;
};

TEST_F(LoadModelConfigTest, ReadsConfigAndOptionalGenerationConfig) {
  Write("config.json", kOpusMtConfig);
  absl::StatusOr<ModelConfig> c = LoadModelConfig(dir_);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_beams, 4);

  Write("generation_config.json", R"({"num_beams": 2})");
  c = LoadModelConfig(dir_);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_beams, 2);
}

TEST_F(LoadModelConfigTest, Errors) {
  absl::StatusOr<ModelConfig> c = LoadModelConfig(dir_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(c.status().message(), HasSubstr(dir_ + "/config.json"));

  Write("config.json", R"({"d_model": "x"})");
  c = LoadModelConfig(dir_);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("model directory " + dir_));
  EXPECT_THAT(c.status().message(), HasSubstr("config.json: d_model must be an integer"));

  // An empty generation_config.json is a broken file, not an absent one.
  Write("config.json", kOpusMtConfig);
  Write("generation_config.json", "");
  c = LoadModelConfig(dir_);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("generation_config.json: invalid JSON"));
}

}  // namespace
}  // namespace tserve::engine

#include "engine/model/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/config_t5.h"
#include "engine/model/json_fields.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

using json_fields::Json;
using json_fields::JsonTypeName;
using json_fields::kMaxSize;
using json_fields::ParseObject;
using json_fields::ReadBool;
using json_fields::ReadFloat;
using json_fields::ReadInt;
using json_fields::ReadTokenId;
using json_fields::TypeError;

absl::Status ReadBadWords(const Json& obj, std::vector<std::vector<int32_t>>& out) {
  auto it = obj.find("bad_words_ids");
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_array()) return TypeError("bad_words_ids", "a list of lists of token ids", *it);
  out.clear();
  for (const Json& sequence : *it) {
    if (!sequence.is_array() || sequence.empty()) {
      return absl::InvalidArgumentError(
          "bad_words_ids must be a list of non-empty lists of token ids");
    }
    std::vector<int32_t> ids;
    for (const Json& id : sequence) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > kMaxSize) {
        return absl::InvalidArgumentError(
            absl::StrFormat("bad_words_ids holds %s; token ids are non-negative integers",
                            id.dump()));
      }
      ids.push_back(static_cast<int32_t>(id.get<int64_t>()));
    }
    out.push_back(std::move(ids));
  }
  return absl::OkStatus();
}

// Generation fields of transformers' GenerationConfig that change the output but that
// tserve does not apply: each is reported when the file sets it to something other than
// transformers' default. Requests choose these behaviours explicitly instead (sampling)
// or tserve does not offer them.
void NoteIgnoredFields(const Json& obj, std::vector<std::string>& ignored) {
  struct Default {
    const char* key;
    Json value;
  };
  const Default defaults[] = {
      {"do_sample", false},
      {"temperature", 1.0},
      {"top_k", 50},
      {"top_p", 1.0},
      {"typical_p", 1.0},
      {"repetition_penalty", 1.0},
      {"no_repeat_ngram_size", 0},
      {"encoder_no_repeat_ngram_size", 0},
      {"num_beam_groups", 1},
      {"diversity_penalty", 0.0},
      {"early_stopping", false},
      {"num_return_sequences", 1},
      {"max_new_tokens", nullptr},
      {"suppress_tokens", nullptr},
      {"begin_suppress_tokens", nullptr},
      {"exponential_decay_length_penalty", nullptr},
      {"sequence_bias", nullptr},
  };
  for (const Default& d : defaults) {
    auto it = obj.find(d.key);
    if (it == obj.end()) continue;
    const bool same = (it->is_number() && d.value.is_number())
                          ? it->get<double>() == d.value.get<double>()
                          : *it == d.value;
    if (same) continue;
    std::string entry = absl::StrFormat("%s=%s", d.key, it->dump());
    std::erase_if(ignored, [&](const std::string& e) {
      return e.substr(0, e.find('=')) == d.key;
    });
    ignored.push_back(std::move(entry));
  }
}

// The generation defaults shared by config.json and generation_config.json (the latter
// overrides field by field). They are checked as soon as they are read so that an error
// names the file that holds them.
absl::Status ReadGenerationFields(const Json& obj, ModelConfig& c) {
  if (absl::Status s = ReadInt(obj, "num_beams", c.num_beams, true); !s.ok()) return s;
  if (absl::Status s = ReadInt(obj, "max_length", c.max_length, true); !s.ok()) return s;
  if (absl::Status s = ReadInt(obj, "min_length", c.min_length, true); !s.ok()) return s;
  if (absl::Status s = ReadFloat(obj, "length_penalty", c.length_penalty, true); !s.ok()) {
    return s;
  }
  for (const auto& [key, value] :
       {std::pair{"num_beams", c.num_beams}, std::pair{"max_length", c.max_length}}) {
    if (value <= 0 || value > kMaxSize) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s must be in [1, %d], got %d", key, kMaxSize, value));
    }
  }
  if (c.min_length < 0 || c.min_length > kMaxSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("min_length must be in [0, %d], got %d", kMaxSize, c.min_length));
  }
  // The special ids may be repeated here; generate() uses these values.
  for (const auto& [key, out] : {std::pair{"pad_token_id", &c.pad_token_id},
                                 std::pair{"decoder_start_token_id", &c.decoder_start_token_id}}) {
    if (absl::Status s = ReadInt(obj, key, *out, true); !s.ok()) return s;
  }
  std::optional<int64_t> eos;
  if (absl::Status s = ReadTokenId(obj, "eos_token_id", eos); !s.ok()) return s;
  if (eos) c.eos_token_id = *eos;
  if (absl::Status s = ReadTokenId(obj, "forced_eos_token_id", c.forced_eos_token_id); !s.ok()) {
    return s;
  }
  if (auto it = obj.find("forced_eos_token_id"); it != obj.end() && it->is_null()) {
    c.forced_eos_token_id.reset();
  }
  if (absl::Status s = ReadTokenId(obj, "forced_bos_token_id", c.forced_bos_token_id); !s.ok()) {
    return s;
  }
  if (auto it = obj.find("forced_bos_token_id"); it != obj.end() && it->is_null()) {
    c.forced_bos_token_id.reset();
  }
  if (absl::Status s = ReadBadWords(obj, c.bad_words_ids); !s.ok()) return s;
  if (absl::Status s = ReadBool(obj, "renormalize_logits", c.renormalize_logits); !s.ok()) {
    return s;
  }
  NoteIgnoredFields(obj, c.ignored_generation_fields);
  return absl::OkStatus();
}

// model_type picks the family; its config class's defaults and architecture apply to
// what the file leaves out.
absl::Status ReadFamily(const Json& obj, ModelConfig& c) {
  ModelFamily family = ModelFamily::kMarian;
  if (auto it = obj.find("model_type"); it != obj.end()) {
    if (!it->is_string()) return TypeError("model_type", "a string", *it);
    absl::StatusOr<ModelFamily> parsed = FamilyOfModelType(it->get_ref<const std::string&>());
    if (!parsed.ok()) return parsed.status();
    family = *parsed;
  }
  SetFamilyDefaults(family, c);
  return absl::OkStatus();
}

// Flags of fairseq-converted configs that name the architecture. transformers' modeling
// code hard-codes the family's architecture and never reads them, so a file whose flag
// says otherwise describes a network the family does not build.
absl::Status CheckArchitectureFlags(const Json& obj, const ModelConfig& c) {
  const Architecture& a = c.architecture;
  const std::tuple<const char*, bool, const char*> flags[] = {
      {"normalize_before", a.pre_norm,
       a.pre_norm ? "pre-LayerNorm blocks" : "post-LayerNorm blocks"},
      {"add_final_layer_norm", a.final_layer_norm,
       a.final_layer_norm ? "a final LayerNorm" : "no final LayerNorm"},
      {"normalize_embedding", a.layernorm_embedding,
       a.layernorm_embedding ? "an embedding LayerNorm" : "no embedding LayerNorm"},
  };
  for (const auto& [key, expected, what] : flags) {
    bool value = expected;
    if (absl::Status s = ReadBool(obj, key, value); !s.ok()) return s;
    if (value != expected) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: %s is not supported; %s models (model_type '%s') have %s", key,
          value ? "true" : "false", ModelTypeName(c.family), ModelTypeName(c.family), what));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadConfigFields(const Json& obj, ModelConfig& c) {
  if (absl::Status s = ReadFamily(obj, c); !s.ok()) return s;
  if (IsT5Family(c.family)) return ReadT5ConfigFields(obj, c);
  struct IntField {
    const char* key;
    int64_t* out;
  };
  const IntField ints[] = {
      {"vocab_size", &c.vocab_size},
      {"d_model", &c.d_model},
      {"encoder_layers", &c.encoder_layers},
      {"decoder_layers", &c.decoder_layers},
      {"encoder_attention_heads", &c.encoder_attention_heads},
      {"decoder_attention_heads", &c.decoder_attention_heads},
      {"encoder_ffn_dim", &c.encoder_ffn_dim},
      {"decoder_ffn_dim", &c.decoder_ffn_dim},
      {"max_position_embeddings", &c.max_position_embeddings},
      {"pad_token_id", &c.pad_token_id},
      {"bos_token_id", &c.bos_token_id},
      {"decoder_start_token_id", &c.decoder_start_token_id},
  };
  // transformers writes the ids a config class leaves unset as null.
  const bool marian = c.family == ModelFamily::kMarian;
  for (const IntField& f : ints) {
    const bool null_is_absent =
        f.out == &c.bos_token_id || (!marian && f.out == &c.decoder_start_token_id);
    if (absl::Status s = ReadInt(obj, f.key, *f.out, null_is_absent); !s.ok()) return s;
  }
  std::optional<int64_t> eos;
  if (absl::Status s = ReadTokenId(obj, "eos_token_id", eos); !s.ok()) return s;
  if (eos) c.eos_token_id = *eos;
  c.decoder_vocab_size = c.vocab_size;
  // Only Marian has separate vocabularies (MarianConfig: decoder_vocab_size =
  // decoder_vocab_size or vocab_size); the other families always share one.
  if (marian) {
    if (absl::Status s = ReadInt(obj, "decoder_vocab_size", c.decoder_vocab_size, true);
        !s.ok()) {
      return s;
    }
  }
  const std::pair<const char*, bool*> bools[] = {
      {"scale_embedding", &c.scale_embedding},
      {"share_encoder_decoder_embeddings", marian ? &c.share_encoder_decoder_embeddings : nullptr},
      {"tie_word_embeddings", &c.tie_word_embeddings},
  };
  for (const auto& [key, out] : bools) {
    if (out == nullptr) continue;
    if (absl::Status s = ReadBool(obj, key, *out); !s.ok()) return s;
  }

  if (auto it = obj.find("activation_function"); it != obj.end()) {
    if (!it->is_string()) return TypeError("activation_function", "a string", *it);
    c.activation_name = it->get<std::string>();
  }
  if (c.activation_name == "swish" || c.activation_name == "silu") {
    c.activation = Activation::kSwish;
  } else if (c.activation_name == "relu") {
    c.activation = Activation::kRelu;
  } else if (c.activation_name == "gelu") {
    c.activation = Activation::kGelu;
  } else {
    return absl::InvalidArgumentError(
        absl::StrFormat("activation_function '%s' is not supported; expected one of swish, "
                        "silu, relu, gelu",
                        c.activation_name));
  }
  return CheckArchitectureFlags(obj, c);
}

// MBartConfig sets no decoder_start_token_id; generate() then starts from bos.
void ResolveDecoderStart(ModelConfig& c) {
  if (c.decoder_start_token_id == kUnsetTokenId) c.decoder_start_token_id = c.bos_token_id;
}

absl::Status Validate(const ModelConfig& c) {
  const std::pair<const char*, int64_t> sizes[] = {
      {"vocab_size", c.vocab_size},
      {"decoder_vocab_size", c.decoder_vocab_size},
      {"d_model", c.d_model},
      {"encoder_layers", c.encoder_layers},
      {"decoder_layers", c.decoder_layers},
      {"encoder_attention_heads", c.encoder_attention_heads},
      {"decoder_attention_heads", c.decoder_attention_heads},
      {"encoder_ffn_dim", c.encoder_ffn_dim},
      {"decoder_ffn_dim", c.decoder_ffn_dim},
      {"max_position_embeddings", c.max_position_embeddings},
  };
  for (const auto& [key, value] : sizes) {
    if (value <= 0 || value > kMaxSize) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s must be in [1, %d], got %d", key, kMaxSize, value));
    }
  }
  for (const auto& [key, heads] :
       {std::pair{"encoder_attention_heads", c.encoder_attention_heads},
        std::pair{"decoder_attention_heads", c.decoder_attention_heads}}) {
    if (c.head_dim == 0 && c.d_model % heads != 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("d_model (%d) must be divisible by %s (%d)", c.d_model, key, heads));
    }
  }
  // pad and eos are used on both sides (source padding and the appended </s>; the
  // decoder start token and the generated </s>), so they must fit both vocabularies.
  const int64_t both = std::min(c.vocab_size, c.decoder_vocab_size);
  const std::tuple<const char*, int64_t, int64_t, const char*> ids[] = {
      {"pad_token_id", c.pad_token_id, both, "min(vocab_size, decoder_vocab_size)"},
      {"eos_token_id", c.eos_token_id, both, "min(vocab_size, decoder_vocab_size)"},
      {"decoder_start_token_id", c.decoder_start_token_id, c.decoder_vocab_size,
       "decoder_vocab_size"},
  };
  for (const auto& [key, id, limit, limit_name] : ids) {
    if (id < 0 || id >= limit) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s %d is outside the vocabulary: must be in [0, %s = %d)", key, id, limit_name, limit));
    }
  }
  if (c.forced_bos_token_id &&
      (*c.forced_bos_token_id < 0 || *c.forced_bos_token_id >= c.decoder_vocab_size)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("forced_bos_token_id %d is outside the target vocabulary of %d",
                        *c.forced_bos_token_id, c.decoder_vocab_size));
  }
  if (c.forced_eos_token_id && *c.forced_eos_token_id != c.eos_token_id) {
    // Forcing a token other than eos would not end the hypothesis.
    return absl::InvalidArgumentError(absl::StrFormat(
        "forced_eos_token_id %d differs from eos_token_id %d; tserve forces eos only",
        *c.forced_eos_token_id, c.eos_token_id));
  }
  for (const std::vector<int32_t>& sequence : c.bad_words_ids) {
    for (int32_t id : sequence) {
      if (id >= c.decoder_vocab_size) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "bad_words_ids holds token %d, outside the target vocabulary of %d", id,
            c.decoder_vocab_size));
      }
    }
  }
  return absl::OkStatus();
}

// Collects what nlohmann reports about a syntax error; every other event is accepted
// without building anything.
class SyntaxErrorFinder : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ...";
    // the bracketed id means nothing to a reader of the error.
    std::string what = ex.what();
    if (size_t close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    // The "last read" excerpt may hold the offending bytes; escape them so the message
    // is valid UTF-8 wherever it travels (RPC status, logs).
    std::string escaped;
    for (unsigned char ch : what) {
      if (ch < 0x20 || ch >= 0x7f) {
        escaped += absl::StrFormat("\\x%02x", ch);
      } else {
        escaped += static_cast<char>(ch);
      }
    }
    message = absl::StrFormat("invalid JSON at byte %d: %s", position, escaped);
    return false;
  }

  std::string message = "invalid JSON";
};

}  // namespace

namespace internal {

std::string DescribeJsonSyntaxError(std::string_view text) {
  SyntaxErrorFinder finder;
  Json::sax_parse(text.begin(), text.end(), &finder);
  return finder.message;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    return absl::ErrnoToStatus(err, absl::StrCat("cannot open ", path));
  }
  std::string contents;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) contents.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) return absl::ErrnoToStatus(err, absl::StrCat("cannot read ", path));
  return contents;
}

}  // namespace internal

std::string_view ActivationName(Activation a) {
  switch (a) {
    case Activation::kRelu:
      return "relu";
    case Activation::kSwish:
      return "swish";
    case Activation::kGelu:
      return "gelu";
    case Activation::kGeluTanh:
      return "gelu_new";
  }
  return "?";
}

absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view config_json,
                                             std::string_view generation_config_json) {
  auto prefixed = [](std::string_view file, const absl::Status& s) {
    return absl::Status(s.code(), absl::StrFormat("%s: %s", file, s.message()));
  };
  ModelConfig config;
  absl::StatusOr<Json> root = ParseObject(config_json);
  if (!root.ok()) return prefixed("config.json", root.status());
  if (absl::Status s = ReadConfigFields(*root, config); !s.ok()) {
    return prefixed("config.json", s);
  }
  if (absl::Status s = ReadGenerationFields(*root, config); !s.ok()) {
    return prefixed("config.json", s);
  }
  ResolveDecoderStart(config);
  if (absl::Status s = Validate(config); !s.ok()) return prefixed("config.json", s);
  if (!generation_config_json.empty()) {
    absl::StatusOr<Json> gen = ParseObject(generation_config_json);
    if (!gen.ok()) return prefixed("generation_config.json", gen.status());
    if (absl::Status s = ReadGenerationFields(*gen, config); !s.ok()) {
      return prefixed("generation_config.json", s);
    }
    if (absl::Status s = Validate(config); !s.ok()) {
      return prefixed("generation_config.json", s);
    }
  }
  // transformers' NoBadWordsLogitsProcessor drops the sequence [eos]: banning eos alone
  // would make every hypothesis run to max_length.
  std::erase_if(config.bad_words_ids, [&](const std::vector<int32_t>& sequence) {
    return sequence.size() == 1 && sequence[0] == config.eos_token_id;
  });
  return config;
}

absl::StatusOr<ModelConfig> LoadModelConfig(const std::string& model_dir) {
  auto in_dir = [&](const absl::Status& s) {
    return absl::Status(s.code(),
                        absl::StrFormat("model directory %s: %s", model_dir, s.message()));
  };
  absl::StatusOr<std::string> config = internal::ReadFile(model_dir + "/config.json");
  if (!config.ok()) return in_dir(config.status());
  std::string generation;
  const std::string generation_path = model_dir + "/generation_config.json";
  if (struct stat st; ::stat(generation_path.c_str(), &st) == 0) {
    absl::StatusOr<std::string> text = internal::ReadFile(generation_path);
    if (!text.ok()) return in_dir(text.status());
    generation = *std::move(text);
    // An empty file would read as "absent"; it is a broken file instead.
    if (generation.empty()) generation = " ";
  }
  absl::StatusOr<ModelConfig> parsed = ParseModelConfig(*config, generation);
  if (!parsed.ok()) return in_dir(parsed.status());
  return parsed;
}

}  // namespace tserve::engine

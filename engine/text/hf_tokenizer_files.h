// The Hugging Face files that describe a tokenizer beside its SentencePiece model:
// tokenizer_config.json, special_tokens_map.json and tokenizer.json (the "fast"
// tokenizer). Only the fields that change token ids are read; everything else in them
// (truncation, padding, normalizer, ...) is left alone, since tserve's own
// SentencePiece runtime segments the text.
#ifndef TSERVE_ENGINE_TEXT_HF_TOKENIZER_FILES_H_
#define TSERVE_ENGINE_TEXT_HF_TOKENIZER_FILES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tserve::engine {

// tokenizer_config.json and special_tokens_map.json of one directory, merged as
// transformers merges them (tokenizer_config.json wins where both set a field).
struct HfTokenizerConfig {
  std::string tokenizer_class;  // "" when not given
  // additional_special_tokens, in order (a token given as {"content": ...} object is its
  // content); nullopt when neither file lists them (null or absent).
  std::optional<std::vector<std::string>> additional_special_tokens;
  bool legacy_behaviour = false;  // NllbTokenizer: source = tokens </s> [src_lang]
  std::string language_codes;     // M2M100Tokenizer: "m2m100" (default) or "wmt21"
  // Whether decoding removes the space before punctuation and English contractions
  // (transformers' clean_up_tokenization); off unless a file turns it on.
  bool clean_up_tokenization_spaces = false;
  // added_tokens_decoder (id -> content) of newer tokenizer_config.json files: the ids
  // transformers gives its special tokens.
  std::map<int32_t, std::string> added_tokens;
};

// Reads the two files of `model_dir`; a missing file counts as empty. Errors name the
// file (invalid JSON, fields of the wrong type).
absl::StatusOr<HfTokenizerConfig> LoadHfTokenizerConfig(const std::string& model_dir);

// The piece -> id table of a tokenizer.json: its model's "vocab" (an object, as a BPE
// or WordPiece model has it) and its "added_tokens", which must agree where both name
// a piece. Errors name the path.
absl::StatusOr<std::map<std::string, int32_t>> LoadTokenizerJsonIds(const std::string& path);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_HF_TOKENIZER_FILES_H_

// Target-language tokens of multilingual OPUS-MT models. Such a model's vocab.json holds
// pieces ">>por<<", ">>pob<<", ... and the model expects one of them as the first source
// token. transformers' MarianTokenizer finds them in the text with the regular expression
// ">>.+<<" (greedy; '.' matches anything but '\n'): a match at the very start of the text
// becomes one token, looked up in vocab.json, and every match is cut out of the text
// before SentencePiece sees it. This file reproduces that split and the rules by which
// tserve picks the language token (docs/semantics.md, "Tokenisation").
#ifndef TSERVE_ENGINE_TEXT_LANGUAGE_TOKENS_H_
#define TSERVE_ENGINE_TEXT_LANGUAGE_TOKENS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/text/vocabulary.h"

namespace tserve::engine {

// True when the whole of `piece` is one ">>code<<" span: ">>", at least one character
// other than '\n', "<<".
bool IsLanguageToken(std::string_view piece);

// ">>" + code + "<<".
std::string LanguageToken(std::string_view code);

// A source text as MarianTokenizer splits it.
struct LanguageCodeSplit {
  // The code of the ">>code<<" span that starts at offset 0, if one does. The span is
  // greedy: ">>por<< a >>b<<" is the single code "por<< a >>b".
  std::optional<std::string> leading_code;
  // The text with every ">>…<<" span removed (the leading one included).
  std::string text;
};

// Splits `text` (UTF-8; works on bytes, which gives the same spans as Python's regex on
// code points because '\n', '>' and '<' are single bytes that never occur inside a
// multi-byte character). Linear in the length of the text.
LanguageCodeSplit SplitLanguageCodes(std::string_view text);

// Whether a model with several target languages must be told which one. Translation
// must (the model would otherwise pick one at random); encoder states need not.
enum class LanguageRequirement { kRequired, kOptional };

// The language codes a model accepts in one role ("target" or "source") and the token
// of each: a Marian vocabulary's ">>code<<" pieces, or the language tokens of NLLB-200
// and M2M100.
class LanguageCodes {
 public:
  LanguageCodes() = default;
  // The ">>code<<" pieces of `vocab`, as target languages.
  explicit LanguageCodes(const Vocabulary& vocab);
  // (code, token id) pairs in any order; `role` names them in messages.
  LanguageCodes(std::vector<std::pair<std::string, int32_t>> codes, std::string role);

  // Sorted by code.
  const std::vector<std::string>& codes() const { return codes_; }

  // OK for "" and for a known code; otherwise INVALID_ARGUMENT naming the known codes.
  absl::Status Check(std::string_view code) const;

  // The id of `code`'s token; INVALID_ARGUMENT naming the known codes when there is none.
  // `source` says where the code came from, for the message ("" for the request field).
  absl::StatusOr<int32_t> Find(std::string_view code, std::string_view source) const;

  // The id of the token a source starts with, from the text's leading code
  // (`leading_code`, see SplitLanguageCodes) and the request's `requested` code ("" for
  // none); nullopt when the source starts with no language token. INVALID_ARGUMENT, with
  // a message that names the known codes, when a code is not one of them, when both name
  // different languages, and (kRequired) when the model knows several and neither names
  // one. A model with exactly one language token gets none unless it is named, as with
  // transformers.
  absl::StatusOr<std::optional<int32_t>> Resolve(const std::optional<std::string>& leading_code,
                                                 std::string_view requested,
                                                 LanguageRequirement requirement) const;

 private:
  // "pob, por", or a sentence saying the model has no language tokens.
  std::string Known() const;

  std::vector<std::string> codes_;  // sorted
  std::vector<int32_t> ids_;        // ids_[i] is the token of codes_[i]
  std::string role_ = "target";
};

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_LANGUAGE_TOKENS_H_

// Text <-> token ids for a MarianMT model, as transformers' MarianTokenizer does it:
// SentencePiece (source.spm / target.spm) produces pieces, and vocab.json (plus
// target_vocab.json with separate vocabularies) maps pieces to embedding rows.
#ifndef TSERVE_ENGINE_TEXT_TOKENIZER_H_
#define TSERVE_ENGINE_TEXT_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/model/config.h"
#include "engine/text/language_tokens.h"
#include "engine/text/vocabulary.h"

namespace tserve::engine {

namespace spm {
class Processor;
}  // namespace spm

struct EncodedText {
  std::vector<int32_t> ids;
  bool truncated = false;
};

// A source text tokenized, before the token limit applies.
struct SourceTokens {
  // The target-language token (">>por<<") the ids start with, if any.
  std::optional<int32_t> language;
  // The ids of the text's source.spm pieces, language codes removed; no </s>.
  std::vector<int32_t> text_ids;
};

// Thread-safe after Load(): every method is const, and so are SentencePiece encoding
// and decoding.
class Tokenizer {
 public:
  // Loads source.spm, target.spm, vocab.json (and target_vocab.json when
  // config.separate_vocabs()). A vocabulary may be smaller than its embedding matrix,
  // never larger; "<pad>", "</s>" and "<unk>" must exist, and "</s>" must have the id
  // config.eos_token_id.
  static absl::StatusOr<std::unique_ptr<Tokenizer>> Load(const std::string& model_dir,
                                                         const ModelConfig& config);

  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;
  ~Tokenizer();

  // Source side, in two steps so that callers can tell a refused target language from an
  // over-long input. TokenizeSource: the target-language token and the text's ids, by the
  // rules of language_tokens.h: a leading ">>code<<" of the text and `target_language`
  // ("" for none) each name a language; every ">>…<<" span is removed from the text;
  // source.spm pieces map to ids (unknown -> <unk>). INVALID_ARGUMENT with a message that
  // names the model's languages when a named language is unknown, when the two differ,
  // or (kRequired) when a model with several target languages is given none.
  absl::StatusOr<SourceTokens> TokenizeSource(
      std::string_view text, std::string_view target_language = {},
      LanguageRequirement requirement = LanguageRequirement::kRequired) const;
  // LimitSource: the ids with </s> appended. Longer than max_tokens (</s> and the language
  // token included): INVALID_ARGUMENT, unless `truncate`, which keeps the first
  // max_tokens - 1 ids (the language token first among them, as transformers truncates)
  // and sets `truncated`; a limit too small for the language token and </s> is refused
  // even then, rather than translating without the language.
  absl::StatusOr<EncodedText> LimitSource(SourceTokens tokens, size_t max_tokens,
                                          bool truncate) const;
  // Both steps.
  absl::StatusOr<EncodedText> EncodeSource(
      std::string_view text, size_t max_tokens, bool truncate,
      std::string_view target_language = {},
      LanguageRequirement requirement = LanguageRequirement::kRequired) const;
  // Target side text -> ids without </s> (used for forced target prefixes).
  std::vector<int32_t> EncodeTarget(std::string_view text) const;
  // ids -> target pieces, dropping </s>, <pad>, <unk> and ids outside the target
  // vocabulary, then decoded with target.spm.
  std::string DecodeTarget(absl::Span<const int32_t> ids) const;
  // The target piece of `id`; empty for an id outside the target vocabulary (the
  // embedding matrix may have more rows than the vocabulary has pieces).
  const std::string& TargetPiece(int32_t id) const;

  // The codes of the source vocabulary's ">>code<<" tokens, sorted; empty for a model
  // without them (one target language).
  const std::vector<std::string>& target_languages() const { return languages_.codes(); }
  // OK for "" and for one of target_languages(); otherwise the INVALID_ARGUMENT that
  // TokenizeSource gives for that target_language, whatever the text.
  absl::Status CheckTargetLanguage(std::string_view code) const { return languages_.Check(code); }

  int32_t unk_id() const { return source_unk_; }  // source vocabulary's <unk>
  int32_t eos_id() const { return eos_; }         // config.eos_token_id, </s> in both
  int32_t pad_id() const { return pad_; }         // config.pad_token_id
  int32_t target_unk_id() const { return target_unk_; }
  const Vocabulary& source_vocab() const { return source_vocab_; }
  const Vocabulary& target_vocab() const { return target_vocab_ ? *target_vocab_ : source_vocab_; }

 private:
  Tokenizer();
  std::vector<int32_t> PiecesToIds(const std::vector<std::string>& pieces, const Vocabulary& vocab,
                                   int32_t unk) const;

  std::unique_ptr<spm::Processor> source_spm_;
  std::unique_ptr<spm::Processor> target_spm_;
  Vocabulary source_vocab_;
  std::optional<Vocabulary> target_vocab_;  // set only with separate vocabularies
  TargetLanguages languages_;               // of the source vocabulary
  int32_t source_unk_ = 0;
  int32_t target_unk_ = 0;
  int32_t target_pad_ = 0;
  int32_t eos_ = 0;
  int32_t pad_ = 0;
};

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_TOKENIZER_H_

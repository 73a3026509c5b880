// Text <-> token ids of a model directory, as transformers' tokenizer for its family does
// it (the family follows from the files present):
// - MarianMT (source.spm): SentencePiece (source.spm / target.spm) produces pieces, and
//   vocab.json (plus target_vocab.json with separate vocabularies) maps pieces to
//   embedding rows; a multilingual target is named by a ">>code<<" source token.
// - NLLB-200 (sentencepiece.bpe.model) and M2M100 (sentencepiece.bpe.model + vocab.json):
//   one BPE SentencePiece model for both sides, ids by fairseq_vocab.h; the source is
//   [source-language token] pieces </s> (NLLB's legacy_behaviour: pieces </s> [token]),
//   and the target-language token is the decoder's first generated token
//   (TargetLanguageTokenId). tokenizer.json, where present, must give the same ids.
// - mBART-50 (sentencepiece.bpe.model, tokenizer_class MBart50Tokenizer): NLLB's ids and
//   source order, SentencePiece's decoding.
// - T5, Flan-T5, mT5, sentence-T5 (spiece.model): the SentencePiece ids themselves, then
//   the sentinel tokens <extra_id_N> at the top of the vocabulary; the source is pieces
//   </s>, with <extra_id_N> in the text kept as one token (tokenizer_t5.cc); no
//   languages. tokenizer.json, where present, must give the same ids.
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

enum class TokenizerFamily { kMarian, kNllb, kM2m100, kMbart50, kT5 };

// The languages a request names; "" for none.
struct RequestLanguages {
  std::string_view source;
  std::string_view target;
};

struct EncodedText {
  std::vector<int32_t> ids;
  bool truncated = false;
};

// A source text tokenized, before the token limit applies.
struct SourceTokens {
  // The language token of the source: Marian's target-language token (">>por<<"), or
  // NLLB's / M2M100's source-language token ("eng_Latn", "__en__").
  std::optional<int32_t> language;
  // NLLB's legacy_behaviour: the language token follows </s> instead of leading.
  bool language_last = false;
  // The ids of the text's source SentencePiece pieces (Marian: ">>code<<" spans removed);
  // no </s>.
  std::vector<int32_t> text_ids;
};

// Thread-safe after Load(): every method is const, and so are SentencePiece encoding
// and decoding.
class Tokenizer {
 public:
  // Loads the tokenizer files of `model_dir`. MarianMT: source.spm, target.spm,
  // vocab.json (and target_vocab.json when config.separate_vocabs()). NLLB-200:
  // sentencepiece.bpe.model; M2M100: sentencepiece.bpe.model and vocab.json; both with
  // tokenizer_config.json, special_tokens_map.json and tokenizer.json where present. T5:
  // spiece.model, with the same three JSON files where present. A vocabulary may be
  // smaller than its embedding matrix, never larger; "<pad>", "</s>" and "<unk>" must
  // exist, and "</s>" must have the id config.eos_token_id (T5: and "<pad>"
  // config.pad_token_id, the decoder's start token).
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
  // NLLB / M2M100: `languages.source` is required (whatever `requirement`) and gives the
  // source-language token; `languages.target`, which the source does not hold, must be
  // one of target_languages() or "" (refused when kRequired). Text is never searched
  // for language codes or special tokens: it is all text. Marian: `languages.source`
  // must be "". T5: both languages must be "" (refused as unknown languages of a model
  // that has none); <extra_id_N> (N below the model's count) in the text is its sentinel
  // token, every other special spelling ("</s>", "<pad>") is text.
  absl::StatusOr<SourceTokens> TokenizeSource(std::string_view text,
                                              const RequestLanguages& languages,
                                              LanguageRequirement requirement) const;
  // Marian's form: no source language.
  absl::StatusOr<SourceTokens> TokenizeSource(
      std::string_view text, std::string_view target_language = {},
      LanguageRequirement requirement = LanguageRequirement::kRequired) const {
    return TokenizeSource(text, RequestLanguages{{}, target_language}, requirement);
  }
  // LimitSource: the ids with </s> appended (and the language token placed: first, or
  // after </s> with language_last). Longer than max_tokens (</s> and the language token
  // included): INVALID_ARGUMENT, unless `truncate`, which cuts the text's ids to fit,
  // keeping the language token and </s> as transformers does, and sets `truncated`; a
  // limit too small for the language token and </s> is refused even then, rather than
  // translating without the language.
  absl::StatusOr<EncodedText> LimitSource(SourceTokens tokens, size_t max_tokens,
                                          bool truncate) const;
  // Both steps.
  absl::StatusOr<EncodedText> EncodeSource(std::string_view text, size_t max_tokens, bool truncate,
                                           const RequestLanguages& languages,
                                           LanguageRequirement requirement) const;
  absl::StatusOr<EncodedText> EncodeSource(
      std::string_view text, size_t max_tokens, bool truncate,
      std::string_view target_language = {},
      LanguageRequirement requirement = LanguageRequirement::kRequired) const {
    return EncodeSource(text, max_tokens, truncate, RequestLanguages{{}, target_language},
                        requirement);
  }
  // Target side text -> ids without </s> (used for forced target prefixes).
  std::vector<int32_t> EncodeTarget(std::string_view text) const;
  // ids -> target pieces, dropping ids outside the target vocabulary and the special
  // ones (Marian: </s>, <pad>, <unk>; T5: <pad> </s> <unk> and the sentinels; the
  // others: <s> <pad> </s> <unk>, the language tokens and <mask>, as transformers'
  // skip_special_tokens), then decoded: with target.spm (Marian, M2M100; mBART-50 and T5
  // then strip white space) or NLLB's join (hf_decode.h); clean_up_tokenization when
  // tokenizer_config.json asks for it (not Marian).
  std::string DecodeTarget(absl::Span<const int32_t> ids) const;
  // The target piece of `id` (T5's sentinels: "<extra_id_N>"); empty for an id outside
  // the target vocabulary (the embedding matrix may have more rows than the vocabulary
  // has pieces).
  const std::string& TargetPiece(int32_t id) const;

  TokenizerFamily family() const { return family_; }

  // The target-language codes, sorted: Marian's ">>code<<" tokens of the source
  // vocabulary (empty for a model with one target language); NLLB's / M2M100's language
  // codes ("eng_Latn", "en"); empty for T5.
  const std::vector<std::string>& target_languages() const { return target_languages_.codes(); }
  // The source-language codes, sorted: empty for Marian and T5; NLLB / M2M100: the same
  // as target_languages().
  const std::vector<std::string>& source_languages() const { return source_languages_.codes(); }
  // OK for "" and for one of target_languages(); otherwise the INVALID_ARGUMENT that
  // TokenizeSource gives for that target_language, whatever the text.
  absl::Status CheckTargetLanguage(std::string_view code) const {
    return target_languages_.Check(code);
  }
  // OK for "" and for one of source_languages(); otherwise INVALID_ARGUMENT naming them.
  absl::Status CheckSourceLanguage(std::string_view code) const {
    return source_languages_.Check(code);
  }
  // True for NLLB / M2M100 / mBART-50: the decoder's first generated token must be
  // TargetLanguageTokenId(target_language) (transformers' forced_bos_token_id).
  bool forces_target_language() const {
    return family_ == TokenizerFamily::kNllb || family_ == TokenizerFamily::kM2m100 ||
           family_ == TokenizerFamily::kMbart50;
  }
  // The token of target-language `code` (Marian: its ">>code<<" token, which goes into
  // the source instead); INVALID_ARGUMENT naming the known codes for an unknown code.
  absl::StatusOr<int32_t> TargetLanguageTokenId(std::string_view code) const {
    return target_languages_.Find(code, "");
  }

  int32_t unk_id() const { return source_unk_; }  // source vocabulary's <unk>
  int32_t eos_id() const { return eos_; }         // config.eos_token_id, </s> in both
  int32_t pad_id() const { return pad_; }         // config.pad_token_id
  int32_t target_unk_id() const { return target_unk_; }
  const Vocabulary& source_vocab() const { return source_vocab_; }
  const Vocabulary& target_vocab() const { return target_vocab_ ? *target_vocab_ : source_vocab_; }

 private:
  Tokenizer();
  // What T5's source rules need beyond the SentencePiece model (tokenizer_t5.cc).
  struct T5Rules;

  // The loaders of each family (tokenizer.cc, tokenizer_fairseq.cc, tokenizer_t5.cc),
  // after which Load sets the ids common to all.
  absl::Status InitMarian(const std::string& model_dir, const ModelConfig& config);
  absl::Status InitFairseq(const std::string& model_dir, const ModelConfig& config);
  absl::Status InitT5(const std::string& model_dir, const ModelConfig& config);
  absl::StatusOr<SourceTokens> TokenizeFairseqSource(std::string_view text,
                                                     const RequestLanguages& languages,
                                                     LanguageRequirement requirement) const;
  absl::StatusOr<SourceTokens> TokenizeT5Source(std::string_view text,
                                                const RequestLanguages& languages) const;
  std::vector<int32_t> PiecesToIds(const std::vector<std::string>& pieces, const Vocabulary& vocab,
                                   int32_t unk) const;

  TokenizerFamily family_ = TokenizerFamily::kMarian;
  std::shared_ptr<const spm::Processor> source_spm_;
  std::shared_ptr<const spm::Processor> target_spm_;  // the same as source_spm_ but for Marian
  std::shared_ptr<const T5Rules> t5_;                 // set only for T5
  Vocabulary source_vocab_;
  std::optional<Vocabulary> target_vocab_;  // set only with separate vocabularies
  LanguageCodes target_languages_;
  LanguageCodes source_languages_{{}, "source"};
  // Indexed by target id: ids DecodeTarget drops.
  std::vector<bool> skipped_in_decode_;
  bool legacy_language_order_ = false;  // NLLB's legacy_behaviour
  bool clean_up_spaces_ = false;
  int32_t source_unk_ = 0;
  int32_t target_unk_ = 0;
  int32_t eos_ = 0;
  int32_t pad_ = 0;
};

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_TOKENIZER_H_

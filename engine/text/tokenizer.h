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

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/model/config.h"
#include "engine/text/vocabulary.h"

namespace tserve::engine {

namespace spm {
class Processor;
}  // namespace spm

struct EncodedText {
  std::vector<int32_t> ids;
  bool truncated = false;
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

  // Source side: source.spm pieces -> ids (unknown -> <unk>), </s> appended. Longer than
  // max_tokens (</s> included): INVALID_ARGUMENT, unless `truncate`, which keeps the
  // first max_tokens - 1 pieces and sets `truncated`.
  absl::StatusOr<EncodedText> EncodeSource(std::string_view text, size_t max_tokens,
                                           bool truncate) const;
  // Target side text -> ids without </s> (used for forced target prefixes).
  std::vector<int32_t> EncodeTarget(std::string_view text) const;
  // ids -> target pieces, dropping </s>, <pad>, <unk> and ids outside the target
  // vocabulary, then decoded with target.spm.
  std::string DecodeTarget(absl::Span<const int32_t> ids) const;
  // The target piece of `id`; empty for an id outside the target vocabulary (the
  // embedding matrix may have more rows than the vocabulary has pieces).
  const std::string& TargetPiece(int32_t id) const;

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
  int32_t source_unk_ = 0;
  int32_t target_unk_ = 0;
  int32_t target_pad_ = 0;
  int32_t eos_ = 0;
  int32_t pad_ = 0;
};

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_TOKENIZER_H_

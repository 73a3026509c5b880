// Token ids of the fairseq-trained multilingual models NLLB-200 and M2M100, as
// transformers' NllbTokenizer and M2M100Tokenizer assign them:
//
// NLLB-200 (sentencepiece.bpe.model alone): fairseq's dictionary puts <s>=0 <pad>=1
// </s>=2 <unk>=3 first, then every SentencePiece piece with its id + 1 (the "fairseq
// offset"; SentencePiece's own <unk> <s> </s> at 0..2 are the first four), then the
// language codes ("eng_Latn", ...) in order, then <mask>.
//
// M2M100 (sentencepiece.bpe.model + vocab.json): vocab.json maps pieces to ids; the
// language tokens "__en__", ... follow its last id, in order.
//
// The language codes are those of additional_special_tokens (special_tokens_map.json,
// tokenizer_config.json) where the files list them, else transformers' built-in lists.
#ifndef TSERVE_ENGINE_TEXT_FAIRSEQ_VOCAB_H_
#define TSERVE_ENGINE_TEXT_FAIRSEQ_VOCAB_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/text/hf_tokenizer_files.h"
#include "engine/text/vocabulary.h"

namespace tserve::engine {

namespace spm {
class Processor;
}  // namespace spm

struct FairseqVocab {
  Vocabulary vocab;  // every id of the tokenizer, language tokens included
  // (code as requests name it: "eng_Latn", "en") -> id of its token, in vocabulary order.
  std::vector<std::pair<std::string, int32_t>> languages;
  // The ids transformers skips when decoding with skip_special_tokens: <s> <pad> </s>
  // <unk>, the language tokens and (NLLB) <mask>.
  std::vector<int32_t> special_ids;
};

// `files`' added_tokens_decoder, when present, must give the same ids. NllbVocab also
// serves mBART-50 (MBart50Tokenizer numbers its tokens the same way), whose codes the
// files must list: `builtin_codes` false.
absl::StatusOr<FairseqVocab> NllbVocab(const spm::Processor& spm, const HfTokenizerConfig& files,
                                       bool builtin_codes = true);
absl::StatusOr<FairseqVocab> M2m100Vocab(const Vocabulary& vocab_json,
                                         const HfTokenizerConfig& files);

// OK when the piece -> id table of a tokenizer.json (LoadTokenizerJsonIds) is exactly
// `vocab`; otherwise INVALID_ARGUMENT naming `path` and the first difference.
absl::Status CheckTokenizerJson(const std::map<std::string, int32_t>& ids, const Vocabulary& vocab,
                                const std::string& path);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_FAIRSEQ_VOCAB_H_

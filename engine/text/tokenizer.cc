#include "engine/text/tokenizer.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "engine/text/sentencepiece.h"

namespace tserve::engine {
namespace {

constexpr std::string_view kPad = "<pad>";
constexpr std::string_view kEos = "</s>";
constexpr std::string_view kUnk = "<unk>";

// Checks a vocabulary against the embedding rows it indexes and the special pieces the
// tokenizer relies on.
absl::Status CheckVocabulary(const Vocabulary& vocab, const std::string& path,
                             int64_t embedding_rows, std::string_view rows_name,
                             const ModelConfig& config) {
  if (vocab.size() > embedding_rows) {
    return absl::InvalidArgumentError(absl::StrFormat("%s has %d pieces but the model's %s is %d",
                                                      path, vocab.size(), rows_name,
                                                      embedding_rows));
  }
  for (std::string_view piece : {kPad, kEos, kUnk}) {
    if (!vocab.Find(piece)) {
      return absl::InvalidArgumentError(absl::StrFormat("%s has no '%s' piece", path, piece));
    }
  }
  // The tokenizer appends and strips </s> by its piece while the decoder stops on
  // config.eos_token_id; they must be the same token.
  if (int32_t eos = *vocab.Find(kEos); eos != config.eos_token_id) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s maps '</s>' to %d but config.json has eos_token_id %d", path, eos,
                        config.eos_token_id));
  }
  return absl::OkStatus();
}

}  // namespace

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Load(const std::string& model_dir,
                                                           const ModelConfig& config) {
  auto tok = std::unique_ptr<Tokenizer>(new Tokenizer());
  absl::StatusOr<std::unique_ptr<spm::Processor>> processor =
      spm::Processor::Load(model_dir + "/source.spm");
  if (!processor.ok()) return processor.status();
  tok->source_spm_ = *std::move(processor);
  processor = spm::Processor::Load(model_dir + "/target.spm");
  if (!processor.ok()) return processor.status();
  tok->target_spm_ = *std::move(processor);

  const std::string source_path = model_dir + "/vocab.json";
  absl::StatusOr<Vocabulary> source = Vocabulary::Load(source_path);
  if (!source.ok()) return source.status();
  tok->source_vocab_ = *std::move(source);
  if (config.separate_vocabs()) {
    if (absl::Status s = CheckVocabulary(tok->source_vocab_, source_path, config.vocab_size,
                                         "vocab_size", config);
        !s.ok()) {
      return s;
    }
    const std::string target_path = model_dir + "/target_vocab.json";
    absl::StatusOr<Vocabulary> target = Vocabulary::Load(target_path);
    if (!target.ok()) return target.status();
    if (absl::Status s = CheckVocabulary(*target, target_path, config.target_vocab_size(),
                                         "decoder_vocab_size", config);
        !s.ok()) {
      return s;
    }
    tok->target_vocab_ = *std::move(target);
  } else {
    // One vocabulary indexes both embedding matrices.
    const bool decoder_smaller = config.target_vocab_size() < config.vocab_size;
    if (absl::Status s =
            CheckVocabulary(tok->source_vocab_, source_path,
                            decoder_smaller ? config.target_vocab_size() : config.vocab_size,
                            decoder_smaller ? "decoder_vocab_size" : "vocab_size", config);
        !s.ok()) {
      return s;
    }
  }
  tok->languages_ = TargetLanguages(tok->source_vocab_);
  tok->source_unk_ = *tok->source_vocab_.Find(kUnk);
  tok->target_unk_ = *tok->target_vocab().Find(kUnk);
  tok->target_pad_ = *tok->target_vocab().Find(kPad);
  tok->eos_ = static_cast<int32_t>(config.eos_token_id);
  tok->pad_ = static_cast<int32_t>(config.pad_token_id);
  return tok;
}

std::vector<int32_t> Tokenizer::PiecesToIds(const std::vector<std::string>& pieces,
                                            const Vocabulary& vocab, int32_t unk) const {
  std::vector<int32_t> ids;
  ids.reserve(pieces.size() + 1);
  for (const std::string& piece : pieces) ids.push_back(vocab.Find(piece).value_or(unk));
  return ids;
}

absl::StatusOr<SourceTokens> Tokenizer::TokenizeSource(std::string_view text,
                                                       std::string_view target_language,
                                                       LanguageRequirement requirement) const {
  LanguageCodeSplit split = SplitLanguageCodes(text);
  absl::StatusOr<std::optional<int32_t>> language =
      languages_.Resolve(split.leading_code, target_language, requirement);
  if (!language.ok()) return language.status();
  SourceTokens out;
  out.language = *language;
  // Pieces, not SentencePiece ids: vocab.json is the authority on ids, and a piece the
  // SentencePiece model does not know may still be in it (transformers looks up pieces).
  out.text_ids = PiecesToIds(source_spm_->Encode(split.text), source_vocab_, source_unk_);
  return out;
}

absl::StatusOr<EncodedText> Tokenizer::LimitSource(SourceTokens tokens, size_t max_tokens,
                                                   bool truncate) const {
  if (max_tokens == 0) {
    return absl::InvalidArgumentError("the token limit must be at least 1 (for </s>)");
  }
  const size_t kept = tokens.language.has_value() ? 2 : 1;  // never cut: language, </s>
  const size_t total = tokens.text_ids.size() + kept;
  EncodedText out;
  if (total > max_tokens) {
    if (!truncate || max_tokens < kept) {
      return absl::InvalidArgumentError(
          absl::StrFormat("input has %d tokens; the limit is %d%s", total, max_tokens,
                          truncate ? ", too few for the target-language token and </s>" : ""));
    }
    tokens.text_ids.resize(max_tokens - kept);
    out.truncated = true;
  }
  out.ids.reserve(std::min(total, max_tokens));
  if (tokens.language.has_value()) out.ids.push_back(*tokens.language);
  out.ids.insert(out.ids.end(), tokens.text_ids.begin(), tokens.text_ids.end());
  out.ids.push_back(eos_);
  return out;
}

absl::StatusOr<EncodedText> Tokenizer::EncodeSource(std::string_view text, size_t max_tokens,
                                                    bool truncate, std::string_view target_language,
                                                    LanguageRequirement requirement) const {
  absl::StatusOr<SourceTokens> tokens = TokenizeSource(text, target_language, requirement);
  if (!tokens.ok()) return tokens.status();
  return LimitSource(*std::move(tokens), max_tokens, truncate);
}

std::vector<int32_t> Tokenizer::EncodeTarget(std::string_view text) const {
  return PiecesToIds(target_spm_->Encode(text), target_vocab(), target_unk_);
}

std::string Tokenizer::DecodeTarget(absl::Span<const int32_t> ids) const {
  const Vocabulary& vocab = target_vocab();
  std::vector<std::string> pieces;
  pieces.reserve(ids.size());
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab.size() || id == eos_ || id == pad_ || id == target_pad_ ||
        id == target_unk_) {
      continue;
    }
    pieces.push_back(vocab.Piece(id));
  }
  return target_spm_->Decode(pieces);
}

const std::string& Tokenizer::TargetPiece(int32_t id) const {
  static const std::string* const kEmpty = new std::string();
  const Vocabulary& vocab = target_vocab();
  if (id < 0 || id >= vocab.size()) return *kEmpty;
  return vocab.Piece(id);
}

}  // namespace tserve::engine

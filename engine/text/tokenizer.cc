#include "engine/text/tokenizer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "engine/text/hf_decode.h"
#include "engine/text/sentencepiece.h"

namespace tserve::engine {
namespace {

constexpr std::string_view kPad = "<pad>";
constexpr std::string_view kEos = "</s>";
constexpr std::string_view kUnk = "<unk>";

}  // namespace

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Load(const std::string& model_dir,
                                                           const ModelConfig& config) {
  auto tok = std::unique_ptr<Tokenizer>(new Tokenizer());
  // Marian's source.spm decides; then T5's spiece.model; otherwise a fairseq-style
  // directory (NLLB-200, M2M100, mBART-50), and Marian's loader names the files missing
  // from a directory that is none of these.
  const auto has = [&model_dir](const char* name) {
    return std::filesystem::exists(model_dir + "/" + name);
  };
  absl::Status s;
  if (has("source.spm")) {
    s = tok->InitMarian(model_dir, config);
  } else if (has("spiece.model")) {
    s = tok->InitT5(model_dir, config);
  } else if (has("sentencepiece.bpe.model") || has("tokenizer.json")) {
    s = tok->InitFairseq(model_dir, config);
  } else {
    s = tok->InitMarian(model_dir, config);
  }
  if (!s.ok()) return s;
  tok->source_unk_ = *tok->source_vocab_.Find(kUnk);
  tok->target_unk_ = *tok->target_vocab().Find(kUnk);
  tok->eos_ = static_cast<int32_t>(config.eos_token_id);
  tok->pad_ = static_cast<int32_t>(config.pad_token_id);
  return tok;
}

absl::Status Tokenizer::InitMarian(const std::string& model_dir, const ModelConfig& config) {
  absl::StatusOr<std::unique_ptr<spm::Processor>> processor =
      spm::Processor::Load(model_dir + "/source.spm");
  if (!processor.ok()) return processor.status();
  source_spm_ = *std::move(processor);
  processor = spm::Processor::Load(model_dir + "/target.spm");
  if (!processor.ok()) return processor.status();
  target_spm_ = *std::move(processor);

  const std::string source_path = model_dir + "/vocab.json";
  absl::StatusOr<Vocabulary> source = Vocabulary::Load(source_path);
  if (!source.ok()) return source.status();
  source_vocab_ = *std::move(source);
  if (config.separate_vocabs()) {
    if (absl::Status s = CheckModelVocabulary(source_vocab_, source_path, config.vocab_size,
                                              "vocab_size", config.eos_token_id);
        !s.ok()) {
      return s;
    }
    const std::string target_path = model_dir + "/target_vocab.json";
    absl::StatusOr<Vocabulary> target = Vocabulary::Load(target_path);
    if (!target.ok()) return target.status();
    if (absl::Status s = CheckModelVocabulary(*target, target_path, config.target_vocab_size(),
                                              "decoder_vocab_size", config.eos_token_id);
        !s.ok()) {
      return s;
    }
    target_vocab_ = *std::move(target);
  } else {
    // One vocabulary indexes both embedding matrices.
    const bool decoder_smaller = config.target_vocab_size() < config.vocab_size;
    if (absl::Status s = CheckModelVocabulary(
            source_vocab_, source_path,
            decoder_smaller ? config.target_vocab_size() : config.vocab_size,
            decoder_smaller ? "decoder_vocab_size" : "vocab_size", config.eos_token_id);
        !s.ok()) {
      return s;
    }
  }
  target_languages_ = LanguageCodes(source_vocab_);
  // MarianTokenizer's decode drops </s>, <pad> and <unk> (the config's pad and eos too).
  const Vocabulary& target = target_vocab();
  skipped_in_decode_.assign(static_cast<size_t>(target.size()), false);
  for (int64_t id :
       std::initializer_list<int64_t>{*target.Find(kEos), *target.Find(kPad), *target.Find(kUnk),
                                      config.eos_token_id, config.pad_token_id}) {
    if (id >= 0 && id < target.size()) skipped_in_decode_[static_cast<size_t>(id)] = true;
  }
  return absl::OkStatus();
}

std::vector<int32_t> Tokenizer::PiecesToIds(const std::vector<std::string>& pieces,
                                            const Vocabulary& vocab, int32_t unk) const {
  std::vector<int32_t> ids;
  ids.reserve(pieces.size() + 1);
  for (const std::string& piece : pieces) ids.push_back(vocab.Find(piece).value_or(unk));
  return ids;
}

absl::StatusOr<SourceTokens> Tokenizer::TokenizeSource(std::string_view text,
                                                       const RequestLanguages& languages,
                                                       LanguageRequirement requirement) const {
  if (family_ == TokenizerFamily::kT5) return TokenizeT5Source(text, languages);
  if (family_ != TokenizerFamily::kMarian) {
    return TokenizeFairseqSource(text, languages, requirement);
  }
  if (absl::Status s = source_languages_.Check(languages.source); !s.ok()) return s;
  LanguageCodeSplit split = SplitLanguageCodes(text);
  absl::StatusOr<std::optional<int32_t>> language =
      target_languages_.Resolve(split.leading_code, languages.target, requirement);
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
                          truncate ? ", too few for the language token and </s>" : ""));
    }
    tokens.text_ids.resize(max_tokens - kept);
    out.truncated = true;
  }
  out.ids.reserve(std::min(total, max_tokens));
  if (tokens.language.has_value() && !tokens.language_last) out.ids.push_back(*tokens.language);
  out.ids.insert(out.ids.end(), tokens.text_ids.begin(), tokens.text_ids.end());
  out.ids.push_back(eos_);
  if (tokens.language.has_value() && tokens.language_last) out.ids.push_back(*tokens.language);
  return out;
}

absl::StatusOr<EncodedText> Tokenizer::EncodeSource(std::string_view text, size_t max_tokens,
                                                    bool truncate,
                                                    const RequestLanguages& languages,
                                                    LanguageRequirement requirement) const {
  absl::StatusOr<SourceTokens> tokens = TokenizeSource(text, languages, requirement);
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
    if (id < 0 || id >= vocab.size() || skipped_in_decode_[static_cast<size_t>(id)]) continue;
    pieces.push_back(vocab.Piece(id));
  }
  std::string text;
  if (family_ == TokenizerFamily::kNllb) {
    text = JoinPiecesNllb(pieces);
  } else {
    text = target_spm_->Decode(pieces);
    // T5Tokenizer.convert_tokens_to_string and MBart50's decoding both end in strip().
    if (family_ == TokenizerFamily::kMbart50 || family_ == TokenizerFamily::kT5) {
      text = StripPythonWhitespace(text);
    }
  }
  return clean_up_spaces_ ? CleanUpTokenizationSpaces(std::move(text)) : text;
}

const std::string& Tokenizer::TargetPiece(int32_t id) const {
  static const std::string* const kEmpty = new std::string();
  const Vocabulary& vocab = target_vocab();
  if (id < 0 || id >= vocab.size()) return *kEmpty;
  return vocab.Piece(id);
}

}  // namespace tserve::engine

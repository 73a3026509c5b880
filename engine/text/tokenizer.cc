#include "engine/text/tokenizer.h"

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Debian's sentencepiece header declares `namespace absl { using std::string_view; }`,
// which collides with the system Abseil, whose absl::string_view is its own class.
// Renaming the namespace for this one header keeps both usable: the alias still names
// std::string_view, so the declarations match the symbols in libsentencepiece.
#define absl sentencepiece_absl
#include <sentencepiece_processor.h>
#undef absl

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace tserve::engine {
namespace {

constexpr std::string_view kPad = "<pad>";
constexpr std::string_view kEos = "</s>";
constexpr std::string_view kUnk = "<unk>";

// sentencepiece::util::StatusCode mirrors absl::StatusCode value for value.
absl::Status FromSentencePiece(const sentencepiece::util::Status& s, std::string_view context) {
  return absl::Status(static_cast<absl::StatusCode>(s.code()),
                      absl::StrFormat("%s: %s", context, s.ToString()));
}

absl::StatusOr<std::unique_ptr<sentencepiece::SentencePieceProcessor>> LoadSentencePiece(
    const std::string& path) {
  auto spm = std::make_unique<sentencepiece::SentencePieceProcessor>();
  if (sentencepiece::util::Status s = spm->Load(path); !s.ok()) {
    return FromSentencePiece(s, absl::StrFormat("cannot load SentencePiece model %s", path));
  }
  return spm;
}

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
  absl::StatusOr<std::unique_ptr<sentencepiece::SentencePieceProcessor>> spm =
      LoadSentencePiece(model_dir + "/source.spm");
  if (!spm.ok()) return spm.status();
  tok->source_spm_ = *std::move(spm);
  spm = LoadSentencePiece(model_dir + "/target.spm");
  if (!spm.ok()) return spm.status();
  tok->target_spm_ = *std::move(spm);

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

absl::StatusOr<EncodedText> Tokenizer::EncodeSource(std::string_view text, size_t max_tokens,
                                                    bool truncate) const {
  if (max_tokens == 0) {
    return absl::InvalidArgumentError("the token limit must be at least 1 (for </s>)");
  }
  // Pieces, not SentencePiece ids: vocab.json is the authority on ids, and a piece the
  // SentencePiece model does not know may still be in it (transformers looks up pieces).
  std::vector<std::string> pieces;
  if (sentencepiece::util::Status s = source_spm_->Encode(text, &pieces); !s.ok()) {
    return FromSentencePiece(s, "cannot encode source text");
  }
  EncodedText out;
  const size_t total = pieces.size() + 1;  // with </s>
  if (total > max_tokens) {
    if (!truncate) {
      return absl::InvalidArgumentError(
          absl::StrFormat("input has %d tokens; the limit is %d", total, max_tokens));
    }
    pieces.resize(max_tokens - 1);
    out.truncated = true;
  }
  out.ids = PiecesToIds(pieces, source_vocab_, source_unk_);
  out.ids.push_back(eos_);
  return out;
}

std::vector<int32_t> Tokenizer::EncodeTarget(std::string_view text) const {
  std::vector<std::string> pieces;
  if (!target_spm_->Encode(text, &pieces).ok()) return {};
  return PiecesToIds(pieces, target_vocab(), target_unk_);
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
  std::string text;
  if (!target_spm_->Decode(pieces, &text).ok()) {
    // Decode fails only without a loaded model; keep the pieces readable regardless.
    text.clear();
    for (const std::string& p : pieces) text += p;
  }
  return text;
}

const std::string& Tokenizer::TargetPiece(int32_t id) const {
  static const std::string* const kEmpty = new std::string();
  const Vocabulary& vocab = target_vocab();
  if (id < 0 || id >= vocab.size()) return *kEmpty;
  return vocab.Piece(id);
}

}  // namespace tserve::engine

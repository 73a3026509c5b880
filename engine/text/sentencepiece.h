// tserve's SentencePiece runtime: text -> pieces and pieces -> text for a unigram or
// BPE SentencePiece model, equal to what libsentencepiece 0.1.97's
// SentencePieceProcessor Encode and Decode produce (tests/engine/
// sentencepiece_equality_test.cc and sentencepiece_bpe_equality_test.cc check it).
#ifndef TSERVE_ENGINE_TEXT_SENTENCEPIECE_H_
#define TSERVE_ENGINE_TEXT_SENTENCEPIECE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/text/bpe.h"
#include "engine/text/normalizer.h"
#include "engine/text/piece_trie.h"
#include "engine/text/sentencepiece_model.h"
#include "engine/text/unigram.h"

namespace tserve::engine::spm {

// Immutable after loading; every method is const and safe to call concurrently.
class Processor {
 public:
  // Reads a model file; errors name the path.
  static absl::StatusOr<std::unique_ptr<Processor>> Load(const std::string& path);
  // Checks the model as SentencePiece does when loading: a unigram or BPE model, no
  // empty or repeated pieces, exactly one UNKNOWN piece, byte pieces only with
  // byte_fallback (and then all 256 of them).
  static absl::StatusOr<std::unique_ptr<Processor>> FromBytes(std::string_view bytes);

  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  // Normalizes and segments `text`; runs of unknown characters form one piece
  // (with byte_fallback, each of their bytes becomes a "<0xXX>" piece instead). Text
  // that BPE segments into a CONTROL piece (possible only for a one-character control
  // piece) encodes to no pieces, as SentencePiece fails such an encoding.
  std::vector<std::string> Encode(std::string_view text) const;
  // Joins pieces into text: control pieces vanish, "<unk>" becomes unk_surface, "▁"
  // becomes a space and the first piece's leading "▁" is dropped; byte pieces are
  // reassembled into characters.
  std::string Decode(const std::vector<std::string>& pieces) const;

  // The id of `piece` in the model, the UNKNOWN piece's for a piece it lacks.
  int32_t PieceToId(std::string_view piece) const;
  int32_t size() const { return static_cast<int32_t>(model_.pieces.size()); }
  const ModelProto& model() const { return model_; }

 private:
  explicit Processor(ModelProto model) : model_(std::move(model)) {}
  absl::Status Init();
  PieceType TypeOf(int32_t id) const { return model_.pieces[static_cast<size_t>(id)].type; }
  std::string DecodePiece(std::string_view piece, int32_t id, bool at_start) const;

  ModelProto model_;
  PieceTrie segmenting_pieces_;  // NORMAL, USER_DEFINED and UNUSED pieces -> id
  PieceTrie user_defined_;       // USER_DEFINED pieces, kept whole by the normalizer
  // CONTROL, UNKNOWN and BYTE pieces -> id; looked up first, as SentencePiece does.
  PieceTrie reserved_;
  int32_t unk_id_ = -1;
  std::optional<Normalizer> normalizer_;
  std::optional<Normalizer> denormalizer_;
  std::optional<UnigramModel> unigram_;  // exactly one of these two is set
  std::optional<BpeModel> bpe_;
};

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_SENTENCEPIECE_H_

// The piece <-> id table of a model: vocab.json (or target_vocab.json), a JSON object
// mapping each SentencePiece piece to its embedding row, or a table built from a
// SentencePiece model's pieces (NLLB-200's fairseq ids).
#ifndef TSERVE_ENGINE_TEXT_VOCABULARY_H_
#define TSERVE_ENGINE_TEXT_VOCABULARY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tserve::engine {

class Vocabulary {
 public:
  // Reads and validates a vocabulary file; errors name the path.
  static absl::StatusOr<Vocabulary> Load(const std::string& path);
  // Ids must be integers forming the dense range 0..n-1, each used once.
  static absl::StatusOr<Vocabulary> FromJson(std::string_view json);
  // Piece i gets the id i; a piece given twice is refused.
  static absl::StatusOr<Vocabulary> FromPieces(std::vector<std::string> pieces);

  // max id + 1, which is also the number of pieces.
  int32_t size() const { return static_cast<int32_t>(pieces_.size()); }
  std::optional<int32_t> Find(std::string_view piece) const;
  // Precondition: 0 <= id < size().
  const std::string& Piece(int32_t id) const { return pieces_[static_cast<size_t>(id)]; }

 private:
  // Transparent hashing lets Find() look up a string_view without building a string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  std::vector<std::string> pieces_;  // indexed by id
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> ids_;
};

// Checks a vocabulary against the embedding rows it indexes (`embedding_rows`, named
// `rows_name` in messages) and the special pieces the tokenizer relies on: "<pad>",
// "</s>" and "<unk>" must exist, and "</s>" must be `eos_token_id`. `path` names the
// vocabulary in messages.
absl::Status CheckModelVocabulary(const Vocabulary& vocab, const std::string& path,
                                  int64_t embedding_rows, std::string_view rows_name,
                                  int64_t eos_token_id);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_TEXT_VOCABULARY_H_

// Segmentation of normalized text with a SentencePiece unigram model: the Viterbi
// search of SentencePiece 0.1.97's default encoder (unigram_model.cc,
// Model::EncodeOptimized), reproduced with the same arithmetic so that ties and
// near-ties resolve the same way.
#ifndef TSERVE_ENGINE_TEXT_UNIGRAM_H_
#define TSERVE_ENGINE_TEXT_UNIGRAM_H_

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/text/piece_trie.h"
#include "engine/text/sentencepiece_model.h"

namespace tserve::engine::spm {

class UnigramModel {
 public:
  // `pieces` maps the NORMAL, USER_DEFINED and UNUSED pieces to their ids (indexes
  // into `model.pieces`); `unk_id` is the UNKNOWN piece's id. Both must outlive this.
  UnigramModel(const ModelProto& model, const PieceTrie& pieces, int32_t unk_id);

  // The best segmentation of `normalized` as (piece, id) pairs pointing into it;
  // characters no piece covers become unknown pieces (id unk_id) of one character.
  std::vector<std::pair<std::string_view, int32_t>> Encode(std::string_view normalized) const;

 private:
  const ModelProto& model_;
  const PieceTrie& pieces_;
  int32_t unk_id_;
  float min_score_;  // over NORMAL pieces
  float max_score_;  // over NORMAL pieces, starting from FLT_MIN as SentencePiece does
};

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_UNIGRAM_H_

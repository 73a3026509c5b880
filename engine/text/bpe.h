// Segmentation of normalized text with a SentencePiece BPE model, as SentencePiece
// 0.1.97's encoder does it (bpe_model.cc, Model::Encode, no BPE-dropout): the text is
// split into characters (a user-defined piece stays one symbol and is never merged),
// then the adjacent pair whose concatenation is the best-scoring piece is merged, the
// leftmost pair on a tie, until no adjacent pair forms a piece. Pieces of type UNUSED
// take part in merging but are split again into the two symbols they were merged from.
#ifndef TSERVE_ENGINE_TEXT_BPE_H_
#define TSERVE_ENGINE_TEXT_BPE_H_

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/text/piece_trie.h"
#include "engine/text/sentencepiece_model.h"

namespace tserve::engine::spm {

class BpeModel {
 public:
  // `pieces` maps the NORMAL, USER_DEFINED and UNUSED pieces to their ids (indexes into
  // `model.pieces`), `reserved` the CONTROL, UNKNOWN and BYTE pieces, `user_defined`
  // the USER_DEFINED pieces; `unk_id` is the UNKNOWN piece's id. All must outlive this.
  BpeModel(const ModelProto& model, const PieceTrie& pieces, const PieceTrie& reserved,
           const PieceTrie& user_defined, int32_t unk_id);

  // The segmentation of `normalized` as (piece, id) pairs pointing into it. A symbol
  // that is no piece gets the id of the reserved piece it equals, else unk_id.
  std::vector<std::pair<std::string_view, int32_t>> Encode(std::string_view normalized) const;

 private:
  int32_t IdOf(std::string_view piece) const;
  PieceType TypeOf(int32_t id) const { return model_.pieces[static_cast<size_t>(id)].type; }

  const ModelProto& model_;
  const PieceTrie& pieces_;
  const PieceTrie& reserved_;
  const PieceTrie& user_defined_;
  int32_t unk_id_;
  bool has_unused_ = false;
};

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_BPE_H_

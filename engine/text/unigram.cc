#include "engine/text/unigram.h"

#include <algorithm>
#include <cfloat>

#include "engine/text/utf8.h"

namespace tserve::engine::spm {
namespace {

// An unknown character scores this much below the worst piece.
constexpr float kUnknownPenalty = 10.0f;

}  // namespace

UnigramModel::UnigramModel(const ModelProto& model, const PieceTrie& pieces, int32_t unk_id)
    : model_(model), pieces_(pieces), unk_id_(unk_id), min_score_(FLT_MAX), max_score_(FLT_MIN) {
  for (const Piece& p : model.pieces) {
    if (p.type != PieceType::kNormal) continue;
    min_score_ = std::min(min_score_, p.score);
    max_score_ = std::max(max_score_, p.score);
  }
}

std::vector<std::pair<std::string_view, int32_t>> UnigramModel::Encode(
    std::string_view normalized) const {
  if (normalized.empty()) return {};
  // The best path ending at each byte position: its score, last piece and where that
  // piece starts. Scores are stored as float, as SentencePiece stores them.
  struct BestPath {
    int32_t id = -1;
    float score = 0;
    int64_t starts_at = -1;
  };
  const size_t size = normalized.size();
  const float unknown_score = min_score_ - kUnknownPenalty;
  std::vector<BestPath> best(size + 1);

  for (size_t start = 0; start < size;) {
    const float score_here = best[start].score;
    const size_t char_length = std::min(LeadByteLength(normalized[start]), size - start);
    bool has_single_char_piece = false;
    pieces_.ForEachPrefix(normalized.substr(start), [&](size_t length, int32_t id) {
      const PieceType type = model_.pieces[static_cast<size_t>(id)].type;
      if (type == PieceType::kUnused) return;
      // SentencePiece computes this in double (the 0.1 literal makes the whole
      // expression double), compares the double sum against the stored float and
      // stores it rounded to float; doing otherwise changes how near-ties fall.
      const double score = type == PieceType::kUserDefined
                               ? static_cast<float>(length) * max_score_ - 0.1
                               : model_.pieces[static_cast<size_t>(id)].score;
      const double candidate = score + score_here;
      BestPath& target = best[start + length];
      // Strictly greater: on a tie the earlier start (found first) keeps the slot.
      if (target.starts_at == -1 || candidate > target.score) {
        target = {id, static_cast<float>(candidate), static_cast<int64_t>(start)};
      }
      if (length == char_length) has_single_char_piece = true;
    });
    if (!has_single_char_piece) {
      // No piece is this one character: it becomes an unknown piece (float arithmetic).
      const float candidate = unknown_score + score_here;
      BestPath& target = best[start + char_length];
      if (target.starts_at == -1 || candidate > target.score) {
        target = {unk_id_, candidate, static_cast<int64_t>(start)};
      }
    }
    start += char_length;
  }

  std::vector<std::pair<std::string_view, int32_t>> result;
  for (size_t end = size; end > 0;) {
    const BestPath& node = best[end];
    const auto start = static_cast<size_t>(node.starts_at);
    result.emplace_back(normalized.substr(start, end - start), node.id);
    end = start;
  }
  std::reverse(result.begin(), result.end());
  return result;
}

}  // namespace tserve::engine::spm

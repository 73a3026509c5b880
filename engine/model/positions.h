#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/model/config.h"
#include "engine/model/weights.h"

namespace tserve::engine {

// Marian's sinusoidal position table, [num_positions, width], not
// interleaved: sines in the first ceil(width/2) columns, cosines after
// (docs/semantics.md). Computed in double and rounded once, as the reference.
std::vector<float> SinusoidalPositions(int64_t num_positions, int64_t width);

// fairseq's sinusoidal table (M2M100/NLLB), [num_positions, width]: row p holds
// sin(p·f_i) for i < width/2, then cos(p·f_i), f_i = exp(-i·ln(10000)/(width/2 - 1)),
// a zero last column when width is odd, and a zero row `pad_row`. Computed in float32
// step by step as transformers computes it.
std::vector<float> OffsetSinusoidalPositions(int64_t num_positions, int64_t width, int64_t pad_row);

// One side's position embeddings and the row each token takes (PositionKind).
class PositionTable {
 public:
  // `name` is the stored table (model.encoder.embed_positions.weight or the decoder's),
  // read for Marian when present and for BART/mBART, never for M2M100.
  static absl::StatusOr<PositionTable> Load(const WeightLoader& weights, const std::string& name,
                                            const ModelConfig& config);

  // [rows, d_model]; empty for PositionKind::kNone.
  const std::vector<float>& table() const { return table_; }
  // The table for Embedding: null when the model has none.
  const std::vector<float>* embedding_table() const {
    return kind_ == PositionKind::kNone ? nullptr : &table_;
  }

  // rows[i]: the table row of ids[i], the token at position first + i of its sequence
  // whose earlier tokens hold `earlier_non_pad` tokens other than pad (the decoder's
  // cache holds no pad, so its step is both).
  void Rows(absl::Span<const int32_t> ids, int64_t first, int64_t earlier_non_pad,
            int32_t* rows) const;

 private:
  std::vector<float> table_;
  PositionKind kind_ = PositionKind::kSinusoidal;
  int64_t offset_ = 0;
  int32_t pad_ = 0;
};

}  // namespace tserve::engine

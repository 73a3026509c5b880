#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace tserve::engine {

// Token embeddings plus sinusoidal positions:
//   out[i] = table[ids[i]] · scale + positions[position_of(i)].
class Embedding {
 public:
  // `table` is [vocab, width]; `positions` is [max_positions, width].
  Embedding(std::vector<float> table, int64_t width, float scale,
            const std::vector<float>* positions);

  // One row per id; row i takes position positions[i].
  void Forward(absl::Span<const int32_t> ids, absl::Span<const int32_t> positions,
               float* out) const;

  int64_t vocab_size() const { return vocab_size_; }
  int64_t width() const { return width_; }
  // The raw table (used as the tied output projection).
  const std::vector<float>& table() const { return table_; }

 private:
  std::vector<float> table_;
  int64_t width_;
  int64_t vocab_size_;
  float scale_;
  const std::vector<float>* positions_;
};

}  // namespace tserve::engine

#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"

namespace tserve::engine {

// Token embeddings plus sinusoidal positions:
//   out[i] = table[ids[i]] · scale + positions[position_of(i)].
//
// The table is stored in float32, or in bfloat16 to halve its bytes (the
// bfloat16 and int8 compute types); rows are widened to float32 on lookup.
// Models whose encoder and decoder share one vocabulary share one table.
class Embedding {
 public:
  enum class Storage { kFloat32, kBfloat16 };

  // `table` is [vocab, width]; `positions` is [max_positions, width], or null for a
  // model without position embeddings (T5).
  Embedding(const std::vector<float>& table, int64_t width, float scale,
            const std::vector<float>* positions, Storage storage);

  // The table of `other`, shared, with other positions.
  Embedding(const Embedding& other, const std::vector<float>* positions);

  // One row per id; row i takes position positions[i].
  void Forward(absl::Span<const int32_t> ids, absl::Span<const int32_t> positions,
               float* out) const;

  int64_t vocab_size() const { return vocab_size_; }
  int64_t width() const { return width_; }
  // Bytes of the table (shared tables count in each user).
  int64_t table_bytes() const;

 private:
  std::shared_ptr<const std::vector<float>> float_table_;
  std::shared_ptr<const std::vector<uint16_t>> bfloat16_table_;
  int64_t width_;
  int64_t vocab_size_;
  float scale_;
  const std::vector<float>* positions_;
};

}  // namespace tserve::engine

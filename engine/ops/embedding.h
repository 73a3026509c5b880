#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "engine/ops/linear.h"

namespace tserve::engine {

// Token embeddings plus sinusoidal positions:
//   out[i] = table[ids[i]] · scale + positions[position_of(i)].
//
// The table is stored in float32, or in bfloat16 to halve its bytes (the
// bfloat16 and int8 compute types); rows are widened to float32 on lookup.
// Models whose encoder and decoder share one vocabulary share one table. A
// table tied to the output projection can instead be read from that
// projection's packed weights (ReadRowsFrom), which hold the same values for
// float32 and bfloat16, so the matrix is not kept twice.
class Embedding {
 public:
  enum class Storage { kFloat32, kBfloat16 };

  // `table` is [vocab, width] (kept as it is for float32 storage, not
  // copied); `positions` is [max_positions, width], or null for a model
  // without position embeddings (T5).
  Embedding(std::shared_ptr<const std::vector<float>> table, int64_t width, float scale,
            const std::vector<float>* positions, Storage storage);

  // The table of `other`, shared, with other positions.
  Embedding(const Embedding& other, const std::vector<float>* positions);

  // From now on rows come from `projection` (which must outlive this
  // embedding) and the table is let go, when the projection holds this
  // table's values as stored: [vocab, width] in float32 panels for float32
  // storage, bfloat16 panels for bfloat16. Returns false, changing nothing,
  // otherwise.
  bool ReadRowsFrom(const Linear& projection);

  // One row per id; row i takes position positions[i].
  void Forward(absl::Span<const int32_t> ids, absl::Span<const int32_t> positions,
               float* out) const;

  int64_t vocab_size() const { return vocab_size_; }
  int64_t width() const { return width_; }
  // Bytes of the table (shared tables count in each user; 0 when rows are
  // read from a projection, whose weights hold them).
  int64_t table_bytes() const;

 private:
  std::shared_ptr<const std::vector<float>> float_table_;
  std::shared_ptr<const std::vector<uint16_t>> bfloat16_table_;
  const Linear* rows_from_ = nullptr;
  int64_t width_;
  int64_t vocab_size_;
  float scale_;
  const std::vector<float>* positions_;
};

}  // namespace tserve::engine

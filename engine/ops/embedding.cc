#include "engine/ops/embedding.h"

#include <cstddef>

namespace tserve::engine {

Embedding::Embedding(std::vector<float> table, int64_t width, float scale,
                     const std::vector<float>* positions)
    : table_(std::move(table)),
      width_(width),
      vocab_size_(static_cast<int64_t>(table_.size()) / width),
      scale_(scale),
      positions_(positions) {}

void Embedding::Forward(absl::Span<const int32_t> ids, absl::Span<const int32_t> positions,
                        float* out) const {
  for (size_t i = 0; i < ids.size(); ++i) {
    const float* row = table_.data() + static_cast<int64_t>(ids[i]) * width_;
    const float* pos = positions_->data() + static_cast<int64_t>(positions[i]) * width_;
    float* dst = out + static_cast<int64_t>(i) * width_;
    for (int64_t j = 0; j < width_; ++j) dst[j] = row[j] * scale_ + pos[j];
  }
}

}  // namespace tserve::engine

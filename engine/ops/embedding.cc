#include "engine/ops/embedding.h"

#include <cstddef>

#include "engine/ops/gemm_float.h"

namespace tserve::engine {

Embedding::Embedding(std::shared_ptr<const std::vector<float>> table, int64_t width, float scale,
                     const std::vector<float>* positions, Storage storage)
    : width_(width),
      vocab_size_(static_cast<int64_t>(table->size()) / width),
      scale_(scale),
      positions_(positions) {
  if (storage == Storage::kBfloat16) {
    auto rounded = std::make_shared<std::vector<uint16_t>>(table->size());
    for (size_t i = 0; i < table->size(); ++i) (*rounded)[i] = gemm::ToBfloat16((*table)[i]);
    bfloat16_table_ = std::move(rounded);
  } else {
    float_table_ = std::move(table);
  }
}

bool Embedding::ReadRowsFrom(const Linear& projection) {
  const bool same_values =
      (float_table_ && projection.compute_type() == ComputeType::kFloat32) ||
      (bfloat16_table_ && projection.compute_type() == ComputeType::kBfloat16);
  if (!same_values || projection.out_features() != vocab_size_ ||
      projection.in_features() != width_) {
    return false;
  }
  rows_from_ = &projection;
  float_table_.reset();
  bfloat16_table_.reset();
  return true;
}

Embedding::Embedding(const Embedding& other, const std::vector<float>* positions)
    : float_table_(other.float_table_),
      bfloat16_table_(other.bfloat16_table_),
      rows_from_(other.rows_from_),
      width_(other.width_),
      vocab_size_(other.vocab_size_),
      scale_(other.scale_),
      positions_(positions) {}

int64_t Embedding::table_bytes() const {
  if (rows_from_ != nullptr) return 0;
  return float_table_ ? static_cast<int64_t>(float_table_->size() * sizeof(float))
                      : static_cast<int64_t>(bfloat16_table_->size() * sizeof(uint16_t));
}

void Embedding::Forward(absl::Span<const int32_t> ids, absl::Span<const int32_t> positions,
                        float* out) const {
  thread_local std::vector<float> widened;  // kept: no allocation per call
  if (!float_table_ && widened.size() < static_cast<size_t>(width_)) {
    widened.resize(static_cast<size_t>(width_));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t offset = static_cast<int64_t>(ids[i]) * width_;
    const float* row;
    if (float_table_) {
      row = float_table_->data() + offset;
    } else if (rows_from_ != nullptr) {
      rows_from_->WeightRow(ids[i], widened.data());
      row = widened.data();
    } else {
      gemm::WidenBfloat16(bfloat16_table_->data() + offset, width_, widened.data());
      row = widened.data();
    }
    float* dst = out + static_cast<int64_t>(i) * width_;
    if (positions_ == nullptr) {
      for (int64_t j = 0; j < width_; ++j) dst[j] = row[j] * scale_;
      continue;
    }
    const float* pos = positions_->data() + static_cast<int64_t>(positions[i]) * width_;
    for (int64_t j = 0; j < width_; ++j) dst[j] = row[j] * scale_ + pos[j];
  }
}

}  // namespace tserve::engine

#include "engine/model/kv_cache.h"

#include <algorithm>
#include <cstring>

namespace tserve::engine {

SelfAttentionCache::SelfAttentionCache(int64_t num_layers, int64_t width, int64_t reserve_steps)
    : num_layers_(num_layers), width_(width) {
  Grow(std::max<int64_t>(reserve_steps, 1));
}

void SelfAttentionCache::Grow(int64_t capacity) {
  std::vector<float> grown(static_cast<size_t>(num_layers_ * capacity * 2 * width_));
  const size_t row_floats = static_cast<size_t>(2 * width_);
  for (int64_t l = 0; l < num_layers_ && length_ > 0; ++l) {
    std::memcpy(grown.data() + l * capacity * row_floats,
                buffer_.data() + l * capacity_ * row_floats, length_ * row_floats * sizeof(float));
  }
  buffer_.swap(grown);
  capacity_ = capacity;
}

void SelfAttentionCache::ReserveNextStep() {
  // Doubling keeps the number of reallocations logarithmic in the length.
  if (length_ == capacity_) Grow(capacity_ * 2);
}

void SelfAttentionCache::CopyFrom(const SelfAttentionCache& other) {
  if (capacity_ < other.length_) Grow(other.capacity_);
  const size_t row_floats = static_cast<size_t>(2 * width_);
  for (int64_t l = 0; l < num_layers_ && other.length_ > 0; ++l) {
    std::memcpy(buffer_.data() + l * capacity_ * row_floats,
                other.buffer_.data() + l * other.capacity_ * row_floats,
                other.length_ * row_floats * sizeof(float));
  }
  length_ = other.length_;
}

}  // namespace tserve::engine

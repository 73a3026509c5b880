#pragma once

#include <cstdint>
#include <vector>

namespace tserve::engine {

// Cross-attention keys and values of one encoded sentence: per decoder layer
// a [length, 2·a] matrix (a: the attention width, d_model but for T5), keys in
// the first a columns and values in the next. Computed once when the sentence joins decoding and
// shared by all its rows (beams, hypotheses).
struct SourceMemory {
  int64_t length = 0;
  std::vector<std::vector<float>> layers;
};

// Self-attention keys and values of one decoder row: per layer a
// [steps, 2·a] matrix that grows by one row per decoder step.
class SelfAttentionCache {
 public:
  SelfAttentionCache(int64_t num_layers, int64_t width, int64_t reserve_steps);

  // Number of decoder steps stored (the position of the next token).
  int64_t length() const { return length_; }
  int64_t num_layers() const { return num_layers_; }

  // Row `step` of layer `layer`: keys then values.
  float* Row(int64_t layer, int64_t step) {
    return buffer_.data() + (layer * capacity_ + step) * 2 * width_;
  }
  const float* Row(int64_t layer, int64_t step) const {
    return buffer_.data() + (layer * capacity_ + step) * 2 * width_;
  }

  // Makes room for the row of the coming step (at index length()).
  void ReserveNextStep();
  // Counts the row written by the step that just ran.
  void CommitStep() { ++length_; }
  // Becomes a copy of `other`'s rows (beam search: a beam takes its parent's past).
  void CopyFrom(const SelfAttentionCache& other);
  // Forgets every row, keeping the allocation for reuse.
  void Clear() { length_ = 0; }

 private:
  void Grow(int64_t capacity);

  int64_t num_layers_;
  int64_t width_;
  int64_t capacity_ = 0;
  int64_t length_ = 0;
  std::vector<float> buffer_;  // [num_layers, capacity, 2·width]
};

}  // namespace tserve::engine

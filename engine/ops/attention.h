#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace tserve::engine {

// One query row attending over `length` key/value rows.
//
// Masks are expressed by what the task covers rather than by mask tensors: a
// padded source contributes only its real rows (key-padding mask), and a
// decoder row's cache holds only its own past (causal mask), so nothing is
// materialised or added per step.
struct AttentionTask {
  const float* query;   // [num_heads * head_dim], scaled as the model wants (head_dim^-0.5)
  const float* keys;    // row j at keys + j * kv_stride
  const float* values;  // row j at values + j * kv_stride
  int64_t kv_stride;
  int64_t length;  // number of key/value rows; >= 1
  float* out;      // [num_heads * head_dim]
  // Added to the scores when not null: head h's score of key j gets
  // bias[h * bias_head_stride + j] (T5's relative position bias).
  const float* bias = nullptr;
  int64_t bias_head_stride = 0;
};

// out = concat_h softmax(q_h · K_hᵀ + bias_h) · V_h for every task, in one pass per
// (task, head): scores, softmax and the weighted sum without intermediate
// tensors. Tasks run in parallel on the OpenMP team.
void MultiHeadAttention(absl::Span<const AttentionTask> tasks, int64_t num_heads, int64_t head_dim);

}  // namespace tserve::engine

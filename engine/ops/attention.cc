#include "engine/ops/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/ops/vector_math.h"

namespace tserve::engine {
namespace {

void AttendOneHead(const AttentionTask& task, int64_t head, int64_t head_dim,
                   std::vector<float>& scores) {
  const int64_t offset = head * head_dim;
  const float* q = task.query + offset;
  scores.resize(static_cast<size_t>(task.length));
  float max_score = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < task.length; ++j) {
    const float* k = task.keys + j * task.kv_stride + offset;
    float dot = 0.f;
#pragma omp simd reduction(+ : dot)
    for (int64_t c = 0; c < head_dim; ++c) dot += q[c] * k[c];
    scores[j] = dot;
    max_score = std::max(max_score, dot);
  }
  const float sum = ShiftedExpInPlace(scores.data(), task.length, max_score);
  const float inv_sum = 1.f / sum;
  float* out = task.out + offset;
  std::fill(out, out + head_dim, 0.f);
  for (int64_t j = 0; j < task.length; ++j) {
    const float* v = task.values + j * task.kv_stride + offset;
    const float p = scores[j] * inv_sum;
#pragma omp simd
    for (int64_t c = 0; c < head_dim; ++c) out[c] += p * v[c];
  }
}

}  // namespace

void MultiHeadAttention(absl::Span<const AttentionTask> tasks, int64_t num_heads,
                        int64_t head_dim) {
  const int64_t work = static_cast<int64_t>(tasks.size()) * num_heads;
  // Forking the OpenMP team costs microseconds; only spread work that is
  // worth more than that (about 64k multiply-adds).
  int64_t total_length = 0;
  for (const AttentionTask& task : tasks) total_length += task.length;
  const bool parallel = total_length * num_heads * head_dim >= (1 << 16);
#pragma omp parallel if (parallel)
  {
    // Per-thread scratch for one row of scores; grows to the longest sequence.
    thread_local std::vector<float> scores;
#pragma omp for schedule(static)
    for (int64_t w = 0; w < work; ++w) {
      AttendOneHead(tasks[w / num_heads], w % num_heads, head_dim, scores);
    }
  }
}

}  // namespace tserve::engine

#include "engine/ops/attention.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/core/profile.h"
#include "engine/ops/vector_math.h"

namespace tserve::engine {
namespace {

// One (task, head) with head_dim = 8·kVectors: the query, the dot products'
// partial sums and the output accumulate in AVX2 registers, so a key row
// costs kVectors FMAs and one horizontal sum, a value row kVectors FMAs and
// no stores. Every float operation is fixed by head_dim and the row's own
// length, so a row's result does not depend on what it is batched with.
template <int kVectors>
void AttendOneHeadInRegisters(const AttentionTask& task, int64_t offset, const float* bias,
                              std::vector<float>& scores) {
  __m256 q[kVectors];
  for (int v = 0; v < kVectors; ++v) q[v] = _mm256_loadu_ps(task.query + offset + 8 * v);
  scores.resize(static_cast<size_t>(task.length));
  float max_score = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < task.length; ++j) {
    const float* k = task.keys + j * task.kv_stride + offset;
    // Two chains, so consecutive FMAs do not wait on each other.
    __m256 even = _mm256_mul_ps(q[0], _mm256_loadu_ps(k));
    __m256 odd = _mm256_mul_ps(q[1], _mm256_loadu_ps(k + 8));
    for (int v = 2; v < kVectors; v += 2) {
      even = _mm256_fmadd_ps(q[v], _mm256_loadu_ps(k + 8 * v), even);
      odd = _mm256_fmadd_ps(q[v + 1], _mm256_loadu_ps(k + 8 * v + 8), odd);
    }
    const __m256 sum8 = _mm256_add_ps(even, odd);
    __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(sum8), _mm256_extractf128_ps(sum8, 1));
    sum4 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
    sum4 = _mm_add_ss(sum4, _mm_movehdup_ps(sum4));
    float dot = _mm_cvtss_f32(sum4);
    if (bias != nullptr) dot += bias[j];
    scores[j] = dot;
    max_score = std::max(max_score, dot);
  }
  const float sum = ShiftedExpInPlace(scores.data(), task.length, max_score);
  const __m256 inv_sum = _mm256_set1_ps(1.f / sum);
  __m256 out[kVectors];
  for (int v = 0; v < kVectors; ++v) out[v] = _mm256_setzero_ps();
  for (int64_t j = 0; j < task.length; ++j) {
    const float* value = task.values + j * task.kv_stride + offset;
    const __m256 p = _mm256_mul_ps(_mm256_set1_ps(scores[j]), inv_sum);
    for (int v = 0; v < kVectors; ++v) {
      out[v] = _mm256_fmadd_ps(p, _mm256_loadu_ps(value + 8 * v), out[v]);
    }
  }
  for (int v = 0; v < kVectors; ++v) _mm256_storeu_ps(task.out + offset + 8 * v, out[v]);
}

// Any head_dim.
void AttendOneHeadAnySize(const AttentionTask& task, int64_t offset, int64_t head_dim,
                          const float* bias, std::vector<float>& scores) {
  const float* q = task.query + offset;
  scores.resize(static_cast<size_t>(task.length));
  float max_score = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < task.length; ++j) {
    const float* k = task.keys + j * task.kv_stride + offset;
    float dot = 0.f;
#pragma omp simd reduction(+ : dot)
    for (int64_t c = 0; c < head_dim; ++c) dot += q[c] * k[c];
    if (bias != nullptr) dot += bias[j];
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

void AttendOneHead(const AttentionTask& task, int64_t head, int64_t head_dim,
                   std::vector<float>& scores) {
  const int64_t offset = head * head_dim;
  const float* bias = task.bias != nullptr ? task.bias + head * task.bias_head_stride : nullptr;
  switch (head_dim) {
    case 32:
      return AttendOneHeadInRegisters<4>(task, offset, bias, scores);
    case 64:
      return AttendOneHeadInRegisters<8>(task, offset, bias, scores);
    case 128:
      return AttendOneHeadInRegisters<16>(task, offset, bias, scores);
    default:
      return AttendOneHeadAnySize(task, offset, head_dim, bias, scores);
  }
}

}  // namespace

void MultiHeadAttention(absl::Span<const AttentionTask> tasks, int64_t num_heads,
                        int64_t head_dim) {
  const ProfileScope profile("attention");
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

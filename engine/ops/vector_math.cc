#include "engine/ops/vector_math.h"

#include <immintrin.h>

#include <cmath>
#include <cstring>

namespace tserve::engine {
namespace {

// e^x = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2; e^r by a degree-6
// polynomial (Taylor coefficients, error below float rounding on that range).
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;           // ln 2, high bits (exact product with n)
constexpr float kLn2Lo = -2.12194440e-4f;        // ln 2 − kLn2Hi
constexpr float kMaxInput = 88.f;                // e^88 < FLT_MAX; larger inputs give e^88
constexpr float kMinInput = -87.3365447505531f;  // smallest normal result
constexpr float kC2 = 1.f / 2, kC3 = 1.f / 6, kC4 = 1.f / 24, kC5 = 1.f / 120, kC6 = 1.f / 720;

inline __m256 Exp8(__m256 x) {
  const __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(kMinInput), _CMP_LT_OQ);
  x = _mm256_min_ps(x, _mm256_set1_ps(kMaxInput));
  x = _mm256_max_ps(x, _mm256_set1_ps(kMinInput));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kC6);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kC5));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kC4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kC3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kC2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  const __m256i exponent =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
  return _mm256_andnot_ps(underflow, result);
}

// The same operations on one float, for the tail.
inline float Exp1(float x) {
  if (x < kMinInput) return 0.f;
  x = std::fmin(x, kMaxInput);
  const float n = std::nearbyint(x * kLog2e);
  float r = std::fma(-n, kLn2Hi, x);
  r = std::fma(-n, kLn2Lo, r);
  float p = kC6;
  p = std::fma(p, r, kC5);
  p = std::fma(p, r, kC4);
  p = std::fma(p, r, kC3);
  p = std::fma(p, r, kC2);
  p = std::fma(p, r, 1.f);
  p = std::fma(p, r, 1.f);
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

}  // namespace

void ExpInPlace(float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, Exp8(_mm256_loadu_ps(x + i)));
  for (; i < n; ++i) x[i] = Exp1(x[i]);
}

float ShiftedExpInPlace(float* x, int64_t n, float shift) {
  const __m256 vshift = _mm256_set1_ps(shift);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(x + i, Exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vshift)));
  }
  for (; i < n; ++i) x[i] = Exp1(x[i] - shift);
  float sum = 0.f;
  for (int64_t j = 0; j < n; ++j) sum += x[j];
  return sum;
}

float SumShiftedExp(const float* x, int64_t n, float shift) {
  const __m256 vshift = _mm256_set1_ps(shift);
  // Two accumulators: the adds' latency, not the exponentials, would bound one.
  __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    sum0 = _mm256_add_ps(sum0, Exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vshift)));
    sum1 = _mm256_add_ps(sum1, Exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vshift)));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(sum0, sum1));
  float sum = 0.f;
  for (const float lane : lanes) sum += lane;
  for (; i < n; ++i) sum += Exp1(x[i] - shift);
  return sum;
}

void SwishBiased(const float* x, const float* bias, int64_t n, float* out) {
  const __m256 one = _mm256_set1_ps(1.f);
  const __m256 sign = _mm256_set1_ps(-0.f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_add_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(bias + i));
    const __m256 e = Exp8(_mm256_xor_ps(v, sign));
    _mm256_storeu_ps(out + i, _mm256_div_ps(v, _mm256_add_ps(one, e)));
  }
  for (; i < n; ++i) {
    const float v = x[i] + bias[i];
    out[i] = v / (1.f + Exp1(-v));
  }
}

int64_t ArgMax(const float* x, int64_t n) {
  // The largest value first (max is exact and order-free), then its first
  // position: two vectorized passes instead of a compare-and-branch per element.
  __m256 vmax = _mm256_set1_ps(x[0]);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, vmax);
  float best = lanes[0];
  for (int j = 1; j < 8; ++j) best = std::fmax(best, lanes[j]);
  for (; i < n; ++i) best = std::fmax(best, x[i]);
  const __m256 vbest = _mm256_set1_ps(best);
  for (i = 0; i + 8 <= n; i += 8) {
    const int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), vbest, _CMP_EQ_OQ));
    if (mask != 0) return i + __builtin_ctz(static_cast<unsigned>(mask));
  }
  for (; i < n; ++i) {
    if (x[i] == best) return i;
  }
  return 0;
}

}  // namespace tserve::engine

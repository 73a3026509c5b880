#include "engine/ops/vector_math.h"

#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "engine/ops/exp_polynomial.h"
#include "engine/ops/gemm_kernels.h"
#include "engine/ops/vector_math_avx512.h"

namespace tserve::engine {
namespace {

using namespace exp_polynomial;  // NOLINT: the constants of Exp8 and Exp1

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

// Whether the row reductions below run in AVX-512: they follow the kernel
// set chosen for the products (TSERVE_GEMM_ISA caps both).
bool UseAvx512() {
  static const bool use = gemm::SelectedKernels().isa != gemm::Isa::kAvx2;
  return use;
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
  if (UseAvx512()) return avx512::SumShiftedExp(x, n, shift);
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

float Max(const float* x, int64_t n) {
  __m256 vmax = _mm256_set1_ps(x[0]);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, vmax);
  float best = lanes[0];
  for (int j = 1; j < 8; ++j) best = std::fmax(best, lanes[j]);
  for (; i < n; ++i) best = std::fmax(best, x[i]);
  return best;
}

int64_t ArgMax(const float* x, int64_t n) {
  // The largest value first (max is exact and order-free), then its first
  // position: two vectorized passes instead of a compare-and-branch per element.
  const float best = UseAvx512() ? avx512::Max(x, n) : Max(x, n);
  const __m256 vbest = _mm256_set1_ps(best);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), vbest, _CMP_EQ_OQ));
    if (mask != 0) return i + __builtin_ctz(static_cast<unsigned>(mask));
  }
  for (; i < n; ++i) {
    if (x[i] == best) return i;
  }
  return 0;
}

}  // namespace tserve::engine

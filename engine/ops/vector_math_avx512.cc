#include "engine/ops/vector_math_avx512.h"

#include <immintrin.h>

#include <cmath>

#include "engine/ops/exp_polynomial.h"

namespace tserve::engine::avx512 {
namespace {

using namespace exp_polynomial;  // NOLINT: the constants of Exp16 and Exp1

// vector_math.cc's Exp8 in 16 lanes: the same operations in the same order.
inline __m512 Exp16(__m512 x) {
  const __mmask16 underflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kMinInput), _CMP_LT_OQ);
  x = _mm512_min_ps(x, _mm512_set1_ps(kMaxInput));
  x = _mm512_max_ps(x, _mm512_set1_ps(kMinInput));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kC6);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kC5));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kC4));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kC3));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kC2));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  const __m512i exponent =
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  const __m512 result = _mm512_mul_ps(p, _mm512_castsi512_ps(exponent));
  return _mm512_maskz_mov_ps(static_cast<__mmask16>(~underflow), result);
}

}  // namespace

float SumShiftedExp(const float* x, int64_t n, float shift) {
  const __m512 vshift = _mm512_set1_ps(shift);
  // Two accumulators: the adds' latency, not the exponentials, would bound one.
  __m512 sum0 = _mm512_setzero_ps(), sum1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    sum0 = _mm512_add_ps(sum0, Exp16(_mm512_sub_ps(_mm512_loadu_ps(x + i), vshift)));
    sum1 = _mm512_add_ps(sum1, Exp16(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vshift)));
  }
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, _mm512_add_ps(sum0, sum1));
  float sum = 0.f;
  for (const float lane : lanes) sum += lane;
  for (; i < n; ++i) sum += Exp1(x[i] - shift);
  return sum;
}

float Max(const float* x, int64_t n) {
  __m512 vmax = _mm512_set1_ps(x[0]);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(x + i));
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, vmax);
  float best = lanes[0];
  for (int j = 1; j < 16; ++j) best = std::fmax(best, lanes[j]);
  for (; i < n; ++i) best = std::fmax(best, x[i]);
  return best;
}

}  // namespace tserve::engine::avx512

#pragma once

#include <cstdint>

// Element-wise exponentials for softmax and activations, and the arg max of
// a row of scores, vectorized with AVX2. Each element's result depends on its value alone — the
// vector body and the scalar tail evaluate the same polynomial with the same fused multiply-adds —
// so where an element falls in a buffer (and so what else is batched with it) never changes it.
// Accuracy: within 2 ulp of expf over its range (inputs below −87.3 give 0, above 88 give e^88).
namespace tserve::engine {

// x[i] = e^x[i].
void ExpInPlace(float* x, int64_t n);

// x[i] = x[i] − shift, then e^x[i]; returns Σ e^x[i] (summed in order, so
// the same for the same inputs). The softmax numerator.
float ShiftedExpInPlace(float* x, int64_t n, float shift);

// Σ e^(x[i] − shift), x unchanged; the lanes' partial sums are added in a
// fixed order, so the same for the same inputs on one machine (AVX-512 CPUs
// sum 16 lanes, others 8: the last bits differ between the two).
float SumShiftedExp(const float* x, int64_t n, float shift);

// out[i] = v / (1 + e^−v) with v = x[i] + bias[i]: swish (SiLU).
void SwishBiased(const float* x, const float* bias, int64_t n, float* out);

// The largest of x[0..n) (n ≥ 1, no NaN), in AVX2 whatever the CPU.
float Max(const float* x, int64_t n);

// The index of the first largest of x[0..n) (n ≥ 1, no NaN).
int64_t ArgMax(const float* x, int64_t n);

}  // namespace tserve::engine

#pragma once

// The constants of the vectorized exponential (vector_math.cc and its AVX-512
// twin): e^x = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2; e^r by a
// degree-6 polynomial (Taylor coefficients, error below float rounding on
// that range). Both evaluate it with the same operations, so an element's
// result is the same in 8 or 16 lanes.
namespace tserve::engine::exp_polynomial {

constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;           // ln 2, high bits (exact product with n)
constexpr float kLn2Lo = -2.12194440e-4f;        // ln 2 − kLn2Hi
constexpr float kMaxInput = 88.f;                // e^88 < FLT_MAX; larger inputs give e^88
constexpr float kMinInput = -87.3365447505531f;  // smallest normal result
constexpr float kC2 = 1.f / 2, kC3 = 1.f / 6, kC4 = 1.f / 24, kC5 = 1.f / 120, kC6 = 1.f / 720;

}  // namespace tserve::engine::exp_polynomial

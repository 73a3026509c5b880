#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

// The vectorized exponential's constants, and its one-float form for the
// tails, shared by vector_math.cc (8 lanes) and its AVX-512 twin (16 lanes):
// e^x = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2; e^r by a
// degree-6 polynomial (Taylor coefficients, error below float rounding on
// that range). Every form evaluates it with the same operations, so an
// element's result does not depend on the lane count.
namespace tserve::engine::exp_polynomial {

constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;           // ln 2, high bits (exact product with n)
constexpr float kLn2Lo = -2.12194440e-4f;        // ln 2 − kLn2Hi
constexpr float kMaxInput = 88.f;                // e^88 < FLT_MAX; larger inputs give e^88
constexpr float kMinInput = -87.3365447505531f;  // smallest normal result
constexpr float kC2 = 1.f / 2, kC3 = 1.f / 6, kC4 = 1.f / 24, kC5 = 1.f / 120, kC6 = 1.f / 720;

// The same operations on one float, for the tails.
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

}  // namespace tserve::engine::exp_polynomial

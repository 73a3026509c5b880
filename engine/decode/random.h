#pragma once

#include <cstdint>

namespace tserve::engine {

// SplitMix64: the sampling stream of docs/semantics.md. Tiny, fast and
// specified bit for bit, so the reference implementation draws the same
// numbers and a seeded request gives the same output whatever else is batched
// with it.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double NextUniform();

 private:
  uint64_t state_;
};

}  // namespace tserve::engine

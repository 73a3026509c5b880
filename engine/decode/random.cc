#include "engine/decode/random.h"

namespace tserve::engine {

uint64_t SplitMix64::Next() {
  state_ += 0x9E3779B97F4A7C15ull;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double SplitMix64::NextUniform() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

}  // namespace tserve::engine

#pragma once

#include <cstdint>
#include <vector>

namespace tserve::engine {

// Marian's sinusoidal position table, [num_positions, width], not
// interleaved: sines in the first ceil(width/2) columns, cosines after
// (docs/semantics.md). Computed in double and rounded once, as the reference.
std::vector<float> SinusoidalPositions(int64_t num_positions, int64_t width);

}  // namespace tserve::engine

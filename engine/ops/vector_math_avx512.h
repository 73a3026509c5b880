#pragma once

#include <cstdint>

// AVX-512 versions of vector_math.h's row reductions over a vocabulary-wide
// row (a step's logits: tens of thousands of entries), where twice the lanes
// halve the time. Compiled for AVX-512 alone; vector_math.cc calls them only
// where the selected kernel set has it.
namespace tserve::engine::avx512 {

// As SumShiftedExp: the same exponential per element, 16 lanes summed in a
// fixed order.
float SumShiftedExp(const float* x, int64_t n, float shift);

// As Max.
float Max(const float* x, int64_t n);

}  // namespace tserve::engine::avx512

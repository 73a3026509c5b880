#pragma once

#include <cstdint>
#include <string_view>

#include "engine/model/config.h"

namespace tserve::engine {

// What a Linear op does to its result before writing it.
enum class Epilogue {
  kNone,
  kRelu,
  kSwish,
  kGelu,
  kGeluTanh,  // gelu_new
  // y += x·Wᵀ + b: adds the product to what the output buffer holds (a
  // residual connection fused into the matmul).
  kAccumulate,
};

Epilogue EpilogueFor(Activation activation);
std::string_view EpilogueName(Epilogue epilogue);

// The activations as scalar functions, shared by the Linear epilogues and the gated
// feed-forward block.
float Gelu(float v);
float GeluTanh(float v);

// T5's gated feed-forward: out[r, c] = activation(in[r, c]) · in[r, width + c] for
// `rows` rows of `in` [rows, 2·width] (the two input projections side by side).
void GatedActivation(Activation activation, const float* in, int64_t rows, int64_t width,
                     float* out);

}  // namespace tserve::engine

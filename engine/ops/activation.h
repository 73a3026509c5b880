#pragma once

#include <string_view>

#include "engine/model/config.h"

namespace tserve::engine {

// What a Linear op does to its result before writing it.
enum class Epilogue {
  kNone,
  kRelu,
  kSwish,
  kGelu,
  // y += x·Wᵀ + b: adds the product to what the output buffer holds (a
  // residual connection fused into the matmul).
  kAccumulate,
};

Epilogue EpilogueFor(Activation activation);
std::string_view EpilogueName(Epilogue epilogue);

}  // namespace tserve::engine

#pragma once

#include <optional>
#include <string_view>

namespace tserve::engine {

// How the weights of a Linear op are stored and multiplied.
//
// - kFloat32: float32 weights and arithmetic; the reference path.
// - kBfloat16: weights stored as bfloat16 (half the bytes), widened to
//   float32 in cache and multiplied with float32 accumulation. CPUs without
//   bfloat16 dot-product instructions (AVX2) gain from the halved memory
//   traffic of small batches; accuracy is that of bfloat16 weights.
// - kInt8: weights quantized to int8 per output channel at load, activations
//   quantized per row on the fly (7-bit unsigned with a zero point, so that
//   the AVX2 u8·s8 instruction cannot saturate), products summed exactly in
//   int32, scales applied after the sum.
//
// Every type keeps the batch-invariance contract: a row's result depends on
// that row alone, bit for bit.
enum class ComputeType { kFloat32, kBfloat16, kInt8 };

std::string_view ComputeTypeName(ComputeType type);
std::optional<ComputeType> ParseComputeType(std::string_view name);

// The fastest type on this CPU: int8 (its u8·s8 multiply-add does four
// products per lane, about 1.8× the float32 FMA rate, and a quarter of the
// weight bytes).
ComputeType FastestComputeType();

}  // namespace tserve::engine

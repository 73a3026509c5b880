#pragma once

#include <optional>
#include <string_view>

namespace tserve::engine {

// How the weights of a Linear op are stored and multiplied.
//
// - kFloat32: float32 weights and arithmetic; the reference path.
// - kBfloat16: weights stored as bfloat16 (half the bytes), widened to
//   float32 in cache and multiplied with float32 accumulation: small batches
//   gain from the halved memory traffic; accuracy is that of bfloat16
//   weights. (Without AMX, bfloat16 dot products are no faster than float32
//   FMAs: see docs/semantics.md.)
// - kInt8: weights quantized to int8 per output channel at load, activations
//   quantized per row on the fly (unsigned with a zero point: 8 bits with
//   VNNI, 7 on AVX2 so that its u8·s8 pair sum cannot saturate), products
//   summed exactly in int32, scales applied after the sum.
//
// Every type keeps the batch-invariance contract: a row's result depends on
// that row alone, bit for bit.
enum class ComputeType { kFloat32, kBfloat16, kInt8 };

std::string_view ComputeTypeName(ComputeType type);
std::optional<ComputeType> ParseComputeType(std::string_view name);

// The fastest type on the CPUs tserve runs on: int8 (its u8·s8 dot products
// do four multiply-adds per lane, ~3× the float32 rate with AVX-512 VNNI and
// ~1.8× on AVX2, and it reads a quarter of the weight bytes).
ComputeType FastestComputeType();

}  // namespace tserve::engine

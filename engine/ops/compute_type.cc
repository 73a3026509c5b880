#include "engine/ops/compute_type.h"

namespace tserve::engine {

std::string_view ComputeTypeName(ComputeType type) {
  switch (type) {
    case ComputeType::kFloat32:
      return "float32";
    case ComputeType::kBfloat16:
      return "bfloat16";
    case ComputeType::kInt8:
      return "int8";
  }
  return "unknown";
}

std::optional<ComputeType> ParseComputeType(std::string_view name) {
  for (ComputeType type : {ComputeType::kFloat32, ComputeType::kBfloat16, ComputeType::kInt8}) {
    if (name == ComputeTypeName(type)) return type;
  }
  return std::nullopt;
}

ComputeType FastestComputeType() { return ComputeType::kInt8; }

}  // namespace tserve::engine

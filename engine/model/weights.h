#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/model/checkpoint.h"
#include "engine/model/family.h"
#include "engine/ops/activation.h"
#include "engine/ops/layer_norm.h"
#include "engine/ops/linear.h"
#include "engine/ops/norm.h"

namespace tserve::engine {

// Builds ops from the named tensors of a Hugging Face checkpoint, checking
// every shape. Errors name the tensor and what was expected.
class WeightLoader {
 public:
  // `architecture` says whether projections have biases and which norm the blocks use.
  WeightLoader(const Checkpoint& checkpoint, ComputeType compute_type,
               const Architecture& architecture = {})
      : checkpoint_(checkpoint), compute_type_(compute_type), architecture_(architecture) {}

  // The type of every Linear this loader builds.
  ComputeType compute_type() const { return compute_type_; }

  bool Has(std::string_view name) const { return checkpoint_.Find(name) != nullptr; }

  absl::StatusOr<std::vector<float>> Read(std::string_view name,
                                          std::initializer_list<int64_t> shape) const;

  // `<prefix>.weight` [out, in] and `<prefix>.bias` [out] (none when the architecture's
  // projections have no biases).
  absl::StatusOr<std::unique_ptr<Linear>> LoadLinear(const std::string& prefix, int64_t in,
                                                     int64_t out, Epilogue epilogue) const;

  // Several projections of the same input fused into one matmul, their
  // outputs side by side; the first `scaled_parts` parts are multiplied by
  // `scale` (the attention query scaling folded into the weights).
  absl::StatusOr<std::unique_ptr<Linear>> LoadFusedLinear(
      const std::vector<std::string>& prefixes, int64_t in, int64_t out_each, int scaled_parts,
      float scale, Epilogue epilogue = Epilogue::kNone) const;

  // `<prefix>.weight` and `<prefix>.bias`, both [width].
  absl::StatusOr<std::unique_ptr<LayerNorm>> LoadLayerNorm(const std::string& prefix, int64_t width,
                                                           float epsilon) const;
  // The architecture's norm: a LayerNorm, or an RmsNorm from `<prefix>.weight` alone.
  absl::StatusOr<std::unique_ptr<Norm>> LoadNorm(const std::string& prefix, int64_t width,
                                                 float epsilon) const;

  // The checkpoint's tensors that nothing has read, sorted by name (tied views,
  // position tables tserve computes, buffers of other frameworks).
  std::vector<std::string> UnreadTensors() const;

 private:
  const Checkpoint& checkpoint_;
  ComputeType compute_type_;
  Architecture architecture_;
  mutable std::set<std::string, std::less<>> read_;
};

}  // namespace tserve::engine

#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "engine/core/tensor.h"
#include "engine/model/config.h"
#include "engine/model/weight_names.h"
#include "engine/model/weights.h"
#include "engine/ops/linear.h"

namespace tserve::engine {

// The feed-forward block of a layer: out(activation(in(x))), or T5 v1.1's gated
// form out(activation(in(x)) · gate(x)), added to the residual. A gated block runs
// its two input projections as one product.
class FeedForward {
 public:
  static absl::StatusOr<FeedForward> Load(const WeightLoader& weights,
                                          const FeedForwardNames& names, int64_t d_model,
                                          int64_t ffn_dim, Activation activation, bool gated);

  // h[rows, d] += block(x[rows, d]); `inner` and `gated` are scratch.
  void Forward(const float* x, int64_t rows, Tensor& inner, Tensor& gated, float* h) const;

  int64_t ffn_dim() const { return ffn_dim_; }

 private:
  std::unique_ptr<Linear> in_;   // d -> ffn with the activation; gated: d -> 2·ffn, none
  std::unique_ptr<Linear> out_;  // ffn -> d, accumulates into the residual
  Activation activation_ = Activation::kRelu;
  bool gated_ = false;
  int64_t ffn_dim_ = 0;
};

}  // namespace tserve::engine

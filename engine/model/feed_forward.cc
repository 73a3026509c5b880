#include "engine/model/feed_forward.h"

#include "engine/core/status_macros.h"
#include "engine/ops/activation.h"

namespace tserve::engine {

absl::StatusOr<FeedForward> FeedForward::Load(const WeightLoader& weights,
                                              const FeedForwardNames& names, int64_t d_model,
                                              int64_t ffn_dim, Activation activation, bool gated) {
  FeedForward block;
  block.activation_ = activation;
  block.gated_ = gated;
  block.ffn_dim_ = ffn_dim;
  if (gated) {
    // The activation applies to the first half only: after the product.
    TSERVE_ASSIGN_OR_RETURN(block.in_,
                            weights.LoadFusedLinear({names.in, names.gate}, d_model, ffn_dim,
                                                    /*scaled_parts=*/0, 1.f, Epilogue::kNone));
  } else {
    TSERVE_ASSIGN_OR_RETURN(
        block.in_, weights.LoadLinear(names.in, d_model, ffn_dim, EpilogueFor(activation)));
  }
  TSERVE_ASSIGN_OR_RETURN(block.out_,
                          weights.LoadLinear(names.out, ffn_dim, d_model, Epilogue::kAccumulate));
  return block;
}

void FeedForward::Forward(const float* x, int64_t rows, Tensor& inner, Tensor& gated,
                          float* h) const {
  inner.Resize({rows, gated_ ? 2 * ffn_dim_ : ffn_dim_});
  in_->Forward(x, rows, inner.data());
  if (!gated_) {
    out_->Forward(inner.data(), rows, h);
    return;
  }
  gated.Resize({rows, ffn_dim_});
  GatedActivation(activation_, inner.data(), rows, ffn_dim_, gated.data());
  out_->Forward(gated.data(), rows, h);
}

}  // namespace tserve::engine

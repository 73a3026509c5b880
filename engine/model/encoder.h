#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/core/tensor.h"
#include "engine/model/config.h"
#include "engine/model/weights.h"
#include "engine/ops/embedding.h"

namespace tserve::engine {

// Token sequences of any lengths, right-padded to the longest.
struct PaddedBatch {
  int64_t batch_size = 0;
  int64_t max_length = 0;
  std::vector<int32_t> ids;      // [batch_size, max_length], padding = pad id
  std::vector<int32_t> lengths;  // real length of each sequence

  static PaddedBatch FromSequences(absl::Span<const std::vector<int32_t>> sequences,
                                   int32_t pad_id);
};

// Scratch buffers of one encoder call; reusing them avoids reallocating.
struct EncoderWorkspace {
  Tensor qkv;
  Tensor attention;
  Tensor ffn;
  std::vector<int32_t> positions;
};

// The Marian encoder: embeddings + positions, then post-LayerNorm layers of
// self-attention (keys masked to each sequence's length) and feed-forward.
class Encoder {
 public:
  static absl::StatusOr<std::unique_ptr<Encoder>> Load(const WeightLoader& weights,
                                                       const ModelConfig& config,
                                                       const Embedding* embedding);

  // states: [batch_size, max_length, d_model]. Rows past a sequence's length
  // are padding; they never influence real rows and are left zero.
  void Forward(const PaddedBatch& batch, EncoderWorkspace& workspace, Tensor& states) const;

 private:
  struct Layer {
    std::unique_ptr<Linear> qkv;       // d -> 3d, queries pre-scaled
    std::unique_ptr<Linear> out_proj;  // accumulates into the residual
    std::unique_ptr<LayerNorm> self_attn_norm;
    std::unique_ptr<Linear> fc1;       // with the activation
    std::unique_ptr<Linear> fc2;       // accumulates into the residual
    std::unique_ptr<LayerNorm> final_norm;
  };

  Encoder(const ModelConfig& config, const Embedding* embedding)
      : config_(config), embedding_(embedding) {}

  ModelConfig config_;
  const Embedding* embedding_;
  std::vector<Layer> layers_;
};

}  // namespace tserve::engine

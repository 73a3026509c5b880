#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/core/tensor.h"
#include "engine/model/config.h"
#include "engine/model/feed_forward.h"
#include "engine/model/kv_cache.h"
#include "engine/model/positions.h"
#include "engine/model/stack_parts.h"
#include "engine/model/weights.h"
#include "engine/ops/attention.h"
#include "engine/ops/embedding.h"
#include "engine/ops/norm.h"

namespace tserve::engine {

// One row of a decoder step: the token fed in, the row's own self-attention
// cache (its length is the token's position) and its sentence's source memory.
struct DecoderRow {
  int32_t token;
  SelfAttentionCache* cache;
  const SourceMemory* source;
};

// Scratch buffers of decoder steps, reused from step to step.
struct DecoderWorkspace {
  Tensor hidden;
  Tensor qkv;
  Tensor query;
  Tensor attention;
  Tensor ffn;
  Tensor gated;   // a gated feed-forward block's product
  Tensor normed;  // a pre-norm block's input
  Tensor cross_kv;
  std::vector<int32_t> ids;
  std::vector<int32_t> positions;
  std::vector<AttentionTask> tasks;
};

// The decoder (switches as the encoder's), run one step at a time over any set of rows: each row
// has its own length and its own source, so sequences can join and leave the
// set between steps (continuous batching).
class Decoder {
 public:
  // `tied_output` is the float32 target embedding table when the output
  // projection is tied to it (lm_head.weight is then absent from the file);
  // nullptr reads lm_head.weight.
  static absl::StatusOr<std::unique_ptr<Decoder>> Load(const WeightLoader& weights,
                                                       const ModelConfig& config,
                                                       const Embedding* embedding,
                                                       const PositionTable* positions,
                                                       const std::vector<float>* tied_output);

  // Cross-attention keys/values of every sequence of an encoded batch
  // (`states` [batch, max_length, d], from Encoder::Forward).
  std::vector<std::shared_ptr<const SourceMemory>> MakeSourceMemories(
      const Tensor& states, absl::Span<const int32_t> lengths, DecoderWorkspace& workspace) const;

  // Cross-attention keys and values of decoder layer `layer` for `rows`
  // encoder states ([rows, d] in, [rows, 2·a] out: keys then values, a the
  // attention width). Each row on its own, as MakeSourceMemories computes it.
  void ProjectSource(int64_t layer, const float* states, int64_t rows, float* keys_values) const;
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }
  // Width of the attention heads side by side (d_model but for T5's d_kv · heads).
  int64_t attention_dim() const { return config_.decoder_attention_dim(); }

  // Runs one step: feeds each row's token, appends its keys/values to its
  // cache, and writes the next-token logits, [rows, target_vocab_size].
  void Step(absl::Span<const DecoderRow> rows, DecoderWorkspace& workspace, Tensor& logits) const;

  std::unique_ptr<SelfAttentionCache> NewCache(int64_t reserve_steps) const;
  int64_t vocab_size() const { return output_->out_features(); }
  // lm_head (tied models: the target embeddings, packed).
  const Linear& output_projection() const { return *output_; }

 private:
  struct Layer {
    std::unique_ptr<Linear> self_qkv;  // d -> 3a, queries pre-scaled
    std::unique_ptr<Linear> self_out;  // a -> d, accumulates into the residual
    std::unique_ptr<Norm> self_norm;
    std::unique_ptr<Linear> cross_query;  // d -> a, pre-scaled
    std::unique_ptr<Linear> cross_kv;     // d -> 2a, run once per source
    std::unique_ptr<Linear> cross_out;    // a -> d, accumulates into the residual
    std::unique_ptr<Norm> cross_norm;
    FeedForward feed_forward;
    std::unique_ptr<Norm> final_norm;  // the feed-forward block's norm
  };

  Decoder(const ModelConfig& config, const Embedding* embedding, const PositionTable* positions)
      : config_(config), embedding_(embedding), positions_(positions) {}

  ModelConfig config_;
  const Embedding* embedding_;
  const PositionTable* positions_;
  StackParts stack_;  // the norms around the layers, T5's relative position bias
  std::vector<Layer> layers_;
  // T5 with a tied output: the last states times d_model^-0.5 before lm_head.
  float output_scale_ = 1.f;
  std::unique_ptr<Linear> output_;  // lm_head with final_logits_bias
};

}  // namespace tserve::engine

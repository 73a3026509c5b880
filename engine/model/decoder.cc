#include "engine/model/decoder.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/profile.h"
#include "engine/core/status_macros.h"
#include "engine/model/stack_parts.h"
#include "engine/model/weight_names.h"
#include "engine/ops/attention.h"

namespace tserve::engine {

absl::StatusOr<std::unique_ptr<Decoder>> Decoder::Load(const WeightLoader& weights,
                                                       const ModelConfig& config,
                                                       const Embedding* embedding,
                                                       const PositionTable* positions,
                                                       const std::vector<float>* tied_output) {
  std::unique_ptr<Decoder> decoder(new Decoder(config, embedding, positions));
  const Architecture& arch = config.architecture;
  const int64_t d = config.d_model;
  const int64_t a = config.decoder_attention_dim();
  const int64_t heads = config.decoder_attention_heads;
  const float query_scale = QueryScale(config, a, heads);
  const float eps = config.layer_norm_eps;
  TSERVE_ASSIGN_OR_RETURN(decoder->stack_,
                          LoadStackParts(weights, config, DecoderStackNames(arch.naming), heads,
                                         /*bidirectional=*/false));
  for (int64_t i = 0; i < config.decoder_layers; ++i) {
    const LayerNames names = DecoderLayerNames(arch.naming, config.gated_ffn, i);
    const AttentionNames& self = names.self_attention;
    const AttentionNames& cross = names.cross_attention;
    Layer layer;
    TSERVE_ASSIGN_OR_RETURN(layer.self_qkv,
                            weights.LoadFusedLinear({self.query, self.key, self.value}, d, a,
                                                    /*scaled_parts=*/1, query_scale));
    TSERVE_ASSIGN_OR_RETURN(layer.self_out,
                            weights.LoadLinear(self.out, a, d, Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.self_norm, weights.LoadNorm(self.norm, d, eps));
    TSERVE_ASSIGN_OR_RETURN(
        layer.cross_query,
        weights.LoadFusedLinear({cross.query}, d, a, /*scaled_parts=*/1, query_scale));
    TSERVE_ASSIGN_OR_RETURN(layer.cross_kv, weights.LoadFusedLinear({cross.key, cross.value}, d, a,
                                                                    /*scaled_parts=*/0, 1.f));
    TSERVE_ASSIGN_OR_RETURN(layer.cross_out,
                            weights.LoadLinear(cross.out, a, d, Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.cross_norm, weights.LoadNorm(cross.norm, d, eps));
    TSERVE_ASSIGN_OR_RETURN(
        layer.feed_forward,
        FeedForward::Load(weights, names.feed_forward, d, config.decoder_ffn_dim, config.activation,
                          config.gated_ffn));
    TSERVE_ASSIGN_OR_RETURN(layer.final_norm, weights.LoadNorm(names.feed_forward.norm, d, eps));
    decoder->layers_.push_back(std::move(layer));
  }
  if (tied_output != nullptr && arch.scale_tied_output) {
    decoder->output_scale_ = 1.f / std::sqrt(static_cast<float>(d));
  }

  const int64_t vocab = config.target_vocab_size();
  std::vector<float> lm_head;
  if (tied_output == nullptr) {
    TSERVE_ASSIGN_OR_RETURN(lm_head, weights.Read("lm_head.weight", {vocab, d}));
  }
  std::vector<float> bias(static_cast<size_t>(vocab), 0.f);
  if (weights.Has("final_logits_bias")) {
    TSERVE_ASSIGN_OR_RETURN(bias, weights.Read("final_logits_bias", {1, vocab}));
  }
  decoder->output_ = std::make_unique<Linear>(tied_output != nullptr ? *tied_output : lm_head, bias,
                                              d, vocab, Epilogue::kNone, weights.compute_type());
  decoder->output_->set_profile_label("products: output projection");
  return decoder;
}

std::unique_ptr<SelfAttentionCache> Decoder::NewCache(int64_t reserve_steps) const {
  return std::make_unique<SelfAttentionCache>(config_.decoder_layers, attention_dim(),
                                              reserve_steps);
}

std::vector<std::shared_ptr<const SourceMemory>> Decoder::MakeSourceMemories(
    const Tensor& states, absl::Span<const int32_t> lengths, DecoderWorkspace& ws) const {
  const int64_t batch = states.dim(0);
  const int64_t max_length = states.dim(1);
  const int64_t a = attention_dim();
  std::vector<std::shared_ptr<SourceMemory>> memories(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    memories[b] = std::make_shared<SourceMemory>();
    memories[b]->length = lengths[b];
    memories[b]->layers.resize(layers_.size());
  }
  ws.cross_kv.Resize({batch * max_length, 2 * a});
  for (size_t l = 0; l < layers_.size(); ++l) {
    layers_[l].cross_kv->Forward(states.data(), batch * max_length, ws.cross_kv.data());
    for (int64_t b = 0; b < batch; ++b) {
      const float* begin = ws.cross_kv.data() + b * max_length * 2 * a;
      memories[b]->layers[l].assign(begin, begin + lengths[b] * 2 * a);
    }
  }
  return {memories.begin(), memories.end()};
}

void Decoder::ProjectSource(int64_t layer, const float* states, int64_t rows,
                            float* keys_values) const {
  layers_[layer].cross_kv->Forward(states, rows, keys_values);
}

void Decoder::Step(absl::Span<const DecoderRow> rows, DecoderWorkspace& ws, Tensor& logits) const {
  const ProfileScope profile("phase: decoder step");
  const int64_t n = static_cast<int64_t>(rows.size());
  const int64_t d = config_.d_model;
  const int64_t a = attention_dim();
  const int64_t heads = config_.decoder_attention_heads;
  const int64_t head_dim = a / heads;
  ws.hidden.Resize({n, d});
  ws.qkv.Resize({n, 3 * a});
  ws.query.Resize({n, a});
  ws.attention.Resize({n, a});
  logits.Resize({n, vocab_size()});
  if (n == 0) return;

  ws.ids.resize(static_cast<size_t>(n));
  ws.positions.resize(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    ws.ids[r] = rows[r].token;
    const int64_t step = rows[r].cache->length();
    positions_->Rows({&ws.ids[r], 1}, step, step, &ws.positions[r]);
    rows[r].cache->ReserveNextStep();
  }
  float* h = ws.hidden.data();
  embedding_->Forward(ws.ids, ws.positions, h);
  if (stack_.embedding_norm != nullptr) stack_.embedding_norm->Forward(h, n, h);
  const bool pre_norm = config_.architecture.pre_norm;
  // A block's input: the states themselves (post-norm) or their norm.
  const auto block_input = [&](const Norm& norm) -> const float* {
    if (!pre_norm) return h;
    ws.normed.Resize({n, d});
    norm.Forward(h, n, ws.normed.data());
    return ws.normed.data();
  };

  ws.tasks.resize(static_cast<size_t>(n));
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    // Self-attention over the row's own past plus this step: the causal mask
    // is implicit in the cache holding nothing beyond the current position.
    layer.self_qkv->Forward(block_input(*layer.self_norm), n, ws.qkv.data());
    for (int64_t r = 0; r < n; ++r) {
      SelfAttentionCache& cache = *rows[r].cache;
      const int64_t step = cache.length();
      std::memcpy(cache.Row(l, step), ws.qkv.data() + r * 3 * a + a, sizeof(float) * 2 * a);
      ws.tasks[r] = {
          ws.qkv.data() + r * 3 * a,  cache.Row(l, 0), cache.Row(l, 0) + a, 2 * a, step + 1,
          ws.attention.data() + r * a};
      if (stack_.relative_bias) {
        ws.tasks[r].bias = stack_.relative_bias->ForQuery(step);
        ws.tasks[r].bias_head_stride = stack_.relative_bias->head_stride();
      }
    }
    MultiHeadAttention(ws.tasks, heads, head_dim);
    layer.self_out->Forward(ws.attention.data(), n, h);
    if (!pre_norm) layer.self_norm->Forward(h, n, h);

    // Cross-attention over the row's own source only (its padding never exists here).
    layer.cross_query->Forward(block_input(*layer.cross_norm), n, ws.query.data());
    for (int64_t r = 0; r < n; ++r) {
      const std::vector<float>& kv = rows[r].source->layers[l];
      ws.tasks[r] = {ws.query.data() + r * a, kv.data(),
                     kv.data() + a,           2 * a,
                     rows[r].source->length,  ws.attention.data() + r * a};
    }
    MultiHeadAttention(ws.tasks, heads, head_dim);
    layer.cross_out->Forward(ws.attention.data(), n, h);
    if (!pre_norm) layer.cross_norm->Forward(h, n, h);

    layer.feed_forward.Forward(block_input(*layer.final_norm), n, ws.ffn, ws.gated, h);
    if (!pre_norm) layer.final_norm->Forward(h, n, h);
  }
  if (stack_.final_norm != nullptr) stack_.final_norm->Forward(h, n, h);
  if (output_scale_ != 1.f) {
    for (int64_t i = 0; i < n * d; ++i) h[i] *= output_scale_;
  }
  for (int64_t r = 0; r < n; ++r) rows[r].cache->CommitStep();
  output_->Forward(h, n, logits.data());
}

}  // namespace tserve::engine

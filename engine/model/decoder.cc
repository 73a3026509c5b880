#include "engine/model/decoder.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/profile.h"
#include "engine/core/status_macros.h"
#include "engine/ops/attention.h"

namespace tserve::engine {

absl::StatusOr<std::unique_ptr<Decoder>> Decoder::Load(const WeightLoader& weights,
                                                       const ModelConfig& config,
                                                       const Embedding* embedding,
                                                       const PositionTable* positions,
                                                       const std::vector<float>* tied_output) {
  std::unique_ptr<Decoder> decoder(new Decoder(config, embedding, positions));
  const int64_t d = config.d_model;
  const float query_scale =
      1.f / std::sqrt(static_cast<float>(d / config.decoder_attention_heads));
  const float eps = config.layer_norm_eps;
  if (config.architecture.layernorm_embedding) {
    TSERVE_ASSIGN_OR_RETURN(decoder->embedding_norm_,
                            weights.LoadLayerNorm("model.decoder.layernorm_embedding", d, eps));
  }
  if (config.architecture.final_layer_norm) {
    TSERVE_ASSIGN_OR_RETURN(decoder->final_norm_,
                            weights.LoadLayerNorm("model.decoder.layer_norm", d, eps));
  }
  for (int64_t i = 0; i < config.decoder_layers; ++i) {
    const std::string p = absl::StrCat("model.decoder.layers.", i, ".");
    Layer layer;
    TSERVE_ASSIGN_OR_RETURN(
        layer.self_qkv, weights.LoadFusedLinear({p + "self_attn.q_proj", p + "self_attn.k_proj",
                                                 p + "self_attn.v_proj"},
                                                d, d, /*scaled_parts=*/1, query_scale));
    TSERVE_ASSIGN_OR_RETURN(layer.self_out, weights.LoadLinear(p + "self_attn.out_proj", d, d,
                                                               Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.self_norm,
                            weights.LoadLayerNorm(p + "self_attn_layer_norm", d, eps));
    TSERVE_ASSIGN_OR_RETURN(layer.cross_query,
                            weights.LoadFusedLinear({p + "encoder_attn.q_proj"}, d, d,
                                                    /*scaled_parts=*/1, query_scale));
    TSERVE_ASSIGN_OR_RETURN(
        layer.cross_kv, weights.LoadFusedLinear({p + "encoder_attn.k_proj", p + "encoder_attn.v_proj"},
                                                d, d, /*scaled_parts=*/0, 1.f));
    TSERVE_ASSIGN_OR_RETURN(layer.cross_out, weights.LoadLinear(p + "encoder_attn.out_proj", d, d,
                                                                Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.cross_norm,
                            weights.LoadLayerNorm(p + "encoder_attn_layer_norm", d, eps));
    TSERVE_ASSIGN_OR_RETURN(layer.fc1, weights.LoadLinear(p + "fc1", d, config.decoder_ffn_dim,
                                                          EpilogueFor(config.activation)));
    TSERVE_ASSIGN_OR_RETURN(layer.fc2, weights.LoadLinear(p + "fc2", config.decoder_ffn_dim, d,
                                                          Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.final_norm, weights.LoadLayerNorm(p + "final_layer_norm", d, eps));
    decoder->layers_.push_back(std::move(layer));
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
  decoder->output_ =
      std::make_unique<Linear>(tied_output != nullptr ? *tied_output : lm_head, bias, d, vocab,
                               Epilogue::kNone, weights.compute_type());
  decoder->output_->set_profile_label("products: output projection");
  return decoder;
}

std::unique_ptr<SelfAttentionCache> Decoder::NewCache(int64_t reserve_steps) const {
  return std::make_unique<SelfAttentionCache>(config_.decoder_layers, config_.d_model,
                                              reserve_steps);
}

std::vector<std::shared_ptr<const SourceMemory>> Decoder::MakeSourceMemories(
    const Tensor& states, absl::Span<const int32_t> lengths, DecoderWorkspace& ws) const {
  const int64_t batch = states.dim(0);
  const int64_t max_length = states.dim(1);
  const int64_t d = config_.d_model;
  std::vector<std::shared_ptr<SourceMemory>> memories(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    memories[b] = std::make_shared<SourceMemory>();
    memories[b]->length = lengths[b];
    memories[b]->layers.resize(layers_.size());
  }
  ws.cross_kv.Resize({batch * max_length, 2 * d});
  for (size_t l = 0; l < layers_.size(); ++l) {
    layers_[l].cross_kv->Forward(states.data(), batch * max_length, ws.cross_kv.data());
    for (int64_t b = 0; b < batch; ++b) {
      const float* begin = ws.cross_kv.data() + b * max_length * 2 * d;
      memories[b]->layers[l].assign(begin, begin + lengths[b] * 2 * d);
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
  const int64_t heads = config_.decoder_attention_heads;
  const int64_t head_dim = d / heads;
  ws.hidden.Resize({n, d});
  ws.qkv.Resize({n, 3 * d});
  ws.query.Resize({n, d});
  ws.attention.Resize({n, d});
  ws.ffn.Resize({n, config_.decoder_ffn_dim});
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
  if (embedding_norm_ != nullptr) embedding_norm_->Forward(h, n, h);
  const bool pre_norm = config_.architecture.pre_norm;
  // A block's input: the states themselves (post-LayerNorm) or their LayerNorm.
  const auto block_input = [&](const LayerNorm& norm) -> const float* {
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
      std::memcpy(cache.Row(l, step), ws.qkv.data() + r * 3 * d + d, sizeof(float) * 2 * d);
      ws.tasks[r] = {ws.qkv.data() + r * 3 * d, cache.Row(l, 0), cache.Row(l, 0) + d, 2 * d,
                     step + 1, ws.attention.data() + r * d};
    }
    MultiHeadAttention(ws.tasks, heads, head_dim);
    layer.self_out->Forward(ws.attention.data(), n, h);
    if (!pre_norm) layer.self_norm->Forward(h, n, h);

    // Cross-attention over the row's own source only (its padding never exists here).
    layer.cross_query->Forward(block_input(*layer.cross_norm), n, ws.query.data());
    for (int64_t r = 0; r < n; ++r) {
      const std::vector<float>& kv = rows[r].source->layers[l];
      ws.tasks[r] = {ws.query.data() + r * d, kv.data(), kv.data() + d, 2 * d,
                     rows[r].source->length, ws.attention.data() + r * d};
    }
    MultiHeadAttention(ws.tasks, heads, head_dim);
    layer.cross_out->Forward(ws.attention.data(), n, h);
    if (!pre_norm) layer.cross_norm->Forward(h, n, h);

    layer.fc1->Forward(block_input(*layer.final_norm), n, ws.ffn.data());
    layer.fc2->Forward(ws.ffn.data(), n, h);
    if (!pre_norm) layer.final_norm->Forward(h, n, h);
  }
  if (final_norm_ != nullptr) final_norm_->Forward(h, n, h);
  for (int64_t r = 0; r < n; ++r) rows[r].cache->CommitStep();
  output_->Forward(h, n, logits.data());
}

}  // namespace tserve::engine

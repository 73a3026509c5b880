#include "engine/model/encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/ops/attention.h"

namespace tserve::engine {

PaddedBatch PaddedBatch::FromSequences(absl::Span<const std::vector<int32_t>> sequences,
                                       int32_t pad_id) {
  PaddedBatch batch;
  batch.batch_size = static_cast<int64_t>(sequences.size());
  for (const auto& s : sequences) {
    batch.max_length = std::max<int64_t>(batch.max_length, static_cast<int64_t>(s.size()));
  }
  batch.ids.assign(static_cast<size_t>(batch.batch_size * batch.max_length), pad_id);
  for (int64_t b = 0; b < batch.batch_size; ++b) {
    const auto& s = sequences[b];
    std::copy(s.begin(), s.end(), batch.ids.begin() + b * batch.max_length);
    batch.lengths.push_back(static_cast<int32_t>(s.size()));
  }
  return batch;
}

absl::StatusOr<std::unique_ptr<Encoder>> Encoder::Load(const WeightLoader& weights,
                                                       const ModelConfig& config,
                                                       const Embedding* embedding) {
  std::unique_ptr<Encoder> encoder(new Encoder(config, embedding));
  const int64_t d = config.d_model;
  const float query_scale =
      1.f / std::sqrt(static_cast<float>(d / config.encoder_attention_heads));
  const float eps = config.layer_norm_eps;
  for (int64_t i = 0; i < config.encoder_layers; ++i) {
    const std::string p = absl::StrCat("model.encoder.layers.", i, ".");
    Layer layer;
    TSERVE_ASSIGN_OR_RETURN(
        layer.qkv, weights.LoadFusedLinear({p + "self_attn.q_proj", p + "self_attn.k_proj",
                                            p + "self_attn.v_proj"},
                                           d, d, /*scaled_parts=*/1, query_scale));
    TSERVE_ASSIGN_OR_RETURN(layer.out_proj, weights.LoadLinear(p + "self_attn.out_proj", d, d,
                                                               Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.self_attn_norm,
                            weights.LoadLayerNorm(p + "self_attn_layer_norm", d, eps));
    TSERVE_ASSIGN_OR_RETURN(layer.fc1, weights.LoadLinear(p + "fc1", d, config.encoder_ffn_dim,
                                                          EpilogueFor(config.activation)));
    TSERVE_ASSIGN_OR_RETURN(layer.fc2, weights.LoadLinear(p + "fc2", config.encoder_ffn_dim, d,
                                                          Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.final_norm, weights.LoadLayerNorm(p + "final_layer_norm", d, eps));
    encoder->layers_.push_back(std::move(layer));
  }
  return encoder;
}

void Encoder::Forward(const PaddedBatch& batch, EncoderWorkspace& ws, Tensor& states) const {
  const int64_t d = config_.d_model;
  const int64_t heads = config_.encoder_attention_heads;
  const int64_t rows = batch.batch_size * batch.max_length;
  states.Resize({batch.batch_size, batch.max_length, d});
  ws.qkv.Resize({rows, 3 * d});
  ws.attention.ResizeZeroed({rows, d});
  ws.ffn.Resize({rows, config_.encoder_ffn_dim});

  ws.positions.resize(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) ws.positions[r] = static_cast<int32_t>(r % batch.max_length);
  embedding_->Forward(batch.ids, ws.positions, states.data());

  // One attention task per real query row; padded rows keep a zero output.
  std::vector<AttentionTask> tasks;
  for (int64_t b = 0; b < batch.batch_size; ++b) {
    for (int64_t i = 0; i < batch.lengths[b]; ++i) {
      const int64_t row = b * batch.max_length + i;
      const float* base = ws.qkv.data() + b * batch.max_length * 3 * d;
      tasks.push_back({ws.qkv.data() + row * 3 * d, base + d, base + 2 * d, 3 * d,
                       batch.lengths[b], ws.attention.data() + row * d});
    }
  }

  float* h = states.data();
  for (const Layer& layer : layers_) {
    layer.qkv->Forward(h, rows, ws.qkv.data());
    MultiHeadAttention(tasks, heads, d / heads);
    layer.out_proj->Forward(ws.attention.data(), rows, h);
    layer.self_attn_norm->Forward(h, rows, h);
    layer.fc1->Forward(h, rows, ws.ffn.data());
    layer.fc2->Forward(ws.ffn.data(), rows, h);
    layer.final_norm->Forward(h, rows, h);
  }
  // Padded rows carry whatever the layers made of the pad embedding; clear
  // them so no caller can mistake them for data.
  for (int64_t b = 0; b < batch.batch_size; ++b) {
    float* pad_begin = h + (b * batch.max_length + batch.lengths[b]) * d;
    std::memset(pad_begin, 0, sizeof(float) * (batch.max_length - batch.lengths[b]) * d);
  }
}

}  // namespace tserve::engine

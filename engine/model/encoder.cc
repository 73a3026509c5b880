#include "engine/model/encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "engine/core/profile.h"
#include "engine/core/status_macros.h"
#include "engine/model/stack_parts.h"
#include "engine/model/weight_names.h"
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
                                                       const Embedding* embedding,
                                                       const PositionTable* positions) {
  std::unique_ptr<Encoder> encoder(new Encoder(config, embedding, positions));
  const Architecture& arch = config.architecture;
  const int64_t d = config.d_model;
  const int64_t a = config.encoder_attention_dim();
  const int64_t heads = config.encoder_attention_heads;
  const float query_scale = QueryScale(config, a, heads);
  const float eps = config.layer_norm_eps;
  TSERVE_ASSIGN_OR_RETURN(encoder->stack_,
                          LoadStackParts(weights, config, EncoderStackNames(arch.naming), heads,
                                         /*bidirectional=*/true));
  for (int64_t i = 0; i < config.encoder_layers; ++i) {
    const LayerNames names = EncoderLayerNames(arch.naming, config.gated_ffn, i);
    const AttentionNames& attention = names.self_attention;
    Layer layer;
    TSERVE_ASSIGN_OR_RETURN(
        layer.qkv, weights.LoadFusedLinear({attention.query, attention.key, attention.value}, d, a,
                                           /*scaled_parts=*/1, query_scale));
    TSERVE_ASSIGN_OR_RETURN(layer.out_proj,
                            weights.LoadLinear(attention.out, a, d, Epilogue::kAccumulate));
    TSERVE_ASSIGN_OR_RETURN(layer.self_attn_norm, weights.LoadNorm(attention.norm, d, eps));
    TSERVE_ASSIGN_OR_RETURN(
        layer.feed_forward,
        FeedForward::Load(weights, names.feed_forward, d, config.encoder_ffn_dim, config.activation,
                          config.gated_ffn));
    TSERVE_ASSIGN_OR_RETURN(layer.final_norm, weights.LoadNorm(names.feed_forward.norm, d, eps));
    encoder->layers_.push_back(std::move(layer));
  }
  return encoder;
}

void Encoder::Forward(const PaddedBatch& batch, EncoderWorkspace& ws, Tensor& states) const {
  std::vector<std::vector<int32_t>> sources(static_cast<size_t>(batch.batch_size));
  for (int64_t b = 0; b < batch.batch_size; ++b) {
    const auto begin = batch.ids.begin() + b * batch.max_length;
    sources[b].assign(begin, begin + batch.lengths[b]);
  }
  EncoderRun run(*this, sources, &ws);
  run.Finish();
  run.CopyPadded(states, batch.max_length);
}

EncoderRun::EncoderRun(const Encoder& encoder, absl::Span<const std::vector<int32_t>> sources,
                       EncoderWorkspace* workspace)
    : encoder_(encoder), num_layers_(encoder.num_layers()), ws_(workspace) {
  for (const std::vector<int32_t>& source : sources) {
    offsets_.push_back(rows_);
    lengths_.push_back(static_cast<int64_t>(source.size()));
    for (size_t i = 0; i < source.size(); ++i) {
      source_of_row_.push_back(static_cast<int64_t>(lengths_.size()) - 1);
    }
    ids_.insert(ids_.end(), source.begin(), source.end());
    rows_ += static_cast<int64_t>(source.size());
  }
  // Multiply-adds per row of one layer's products: q/k/v (3·d·a), the output
  // projection (d·a) and the feed-forward block (2·d·ffn, gated 3·d·ffn);
  // attention adds 2·a per key (scores and the weighted sum).
  const ModelConfig& config = encoder.config_;
  const double d = static_cast<double>(config.d_model);
  const double a = static_cast<double>(config.encoder_attention_dim());
  const double ffn = static_cast<double>(config.encoder_ffn_dim) * (config.gated_ffn ? 3 : 2);
  const double layer = 4 * d * a + d * ffn;
  projection_cost_ = 3 * d * a / layer;
  rest_cost_ = (d * a + d * ffn) / layer;
  attention_cost_per_key_ = 2 * a / layer;
  double per_layer = 0;
  for (int64_t length : lengths_) {
    per_layer +=
        static_cast<double>(length) *
        (projection_cost_ + rest_cost_ + attention_cost_per_key_ * static_cast<double>(length));
  }
  remaining_ = per_layer * static_cast<double>(num_layers_);
  if (rows_ == 0) layer_ = num_layers_;
}

double EncoderRun::max_row_cost() const {
  int64_t longest = 0;
  for (int64_t length : lengths_) longest = std::max(longest, length);
  return std::max(projection_cost_,
                  rest_cost_ + attention_cost_per_key_ * static_cast<double>(longest));
}

double EncoderRun::PhaseCost(int phase, int64_t row) const {
  if (phase == 0) return projection_cost_;
  return rest_cost_ + attention_cost_per_key_ * static_cast<double>(lengths_[source_of_row_[row]]);
}

void EncoderRun::Start() {
  started_ = true;
  if (ws_ == nullptr) {
    own_workspace_ = std::make_unique<EncoderWorkspace>();
    ws_ = own_workspace_.get();
  }
  const int64_t d = encoder_.config_.d_model;
  const int64_t a = encoder_.config_.encoder_attention_dim();
  ws_->hidden.Resize({std::max<int64_t>(rows_, 1), d});
  ws_->qkv.Resize({std::max<int64_t>(rows_, 1), 3 * a});
  ws_->positions.resize(static_cast<size_t>(rows_));
  for (int64_t b = 0; b < sources(); ++b) {
    encoder_.positions_->Rows(absl::MakeConstSpan(ids_).subspan(offsets_[b], lengths_[b]),
                              /*first=*/0, /*earlier_non_pad=*/0,
                              ws_->positions.data() + offsets_[b]);
  }
  encoder_.embedding_->Forward(ids_, ws_->positions, ws_->hidden.data());
  if (encoder_.stack_.embedding_norm != nullptr && rows_ > 0) {
    encoder_.stack_.embedding_norm->Forward(ws_->hidden.data(), rows_, ws_->hidden.data());
  }
}

double EncoderRun::Step(double budget) {
  const ProfileScope profile("phase: encoder");
  if (!started_) Start();
  double spent = 0;
  while (!done()) {
    int64_t end = row_;
    double cost = 0;
    while (end < rows_) {
      const double c = PhaseCost(phase_, end);
      if (spent + cost + c > budget) break;
      cost += c;
      ++end;
    }
    if (end == row_) break;
    RunSlice(row_, end);
    spent += cost;
    remaining_ -= cost;
    row_ = end;
    if (row_ == rows_) {
      row_ = 0;
      if (phase_ == 0) {
        phase_ = 1;
      } else {
        phase_ = 0;
        ++layer_;
      }
    }
  }
  if (done()) remaining_ = 0;
  return spent;
}

void EncoderRun::Finish() {
  if (!started_) Start();
  while (!done()) Step(std::numeric_limits<double>::infinity());
}

void EncoderRun::RunSlice(int64_t begin, int64_t end) {
  const Encoder::Layer& layer = encoder_.layers_[layer_];
  const int64_t d = encoder_.config_.d_model;
  const int64_t a = encoder_.config_.encoder_attention_dim();
  const int64_t n = end - begin;
  float* h = ws_->hidden.data() + begin * d;
  const bool pre_norm = encoder_.config_.architecture.pre_norm;
  // A block's input: the states themselves (post-norm) or their norm.
  const auto block_input = [&](const Norm& norm) -> const float* {
    if (!pre_norm) return h;
    ws_->normed.Resize({n, d});
    norm.Forward(h, n, ws_->normed.data());
    return ws_->normed.data();
  };
  if (phase_ == 0) {
    layer.qkv->Forward(block_input(*layer.self_attn_norm), n, ws_->qkv.data() + begin * 3 * a);
    return;
  }
  const int64_t heads = encoder_.config_.encoder_attention_heads;
  const std::optional<RelativePositionBias>& bias = encoder_.stack_.relative_bias;
  ws_->attention.Resize({n, a});
  ws_->tasks.clear();
  for (int64_t r = begin; r < end; ++r) {
    const int64_t b = source_of_row_[r];
    const float* base = ws_->qkv.data() + offsets_[b] * 3 * a;
    AttentionTask task{ws_->qkv.data() + r * 3 * a,
                       base + a,
                       base + 2 * a,
                       3 * a,
                       lengths_[b],
                       ws_->attention.data() + (r - begin) * a};
    if (bias) {
      task.bias = bias->ForQuery(r - offsets_[b]);
      task.bias_head_stride = bias->head_stride();
    }
    ws_->tasks.push_back(task);
  }
  MultiHeadAttention(ws_->tasks, heads, a / heads);
  layer.out_proj->Forward(ws_->attention.data(), n, h);
  if (!pre_norm) layer.self_attn_norm->Forward(h, n, h);
  layer.feed_forward.Forward(block_input(*layer.final_norm), n, ws_->ffn, ws_->gated, h);
  if (!pre_norm) layer.final_norm->Forward(h, n, h);
  if (encoder_.stack_.final_norm != nullptr && layer_ + 1 == num_layers_) {
    encoder_.stack_.final_norm->Forward(h, n, h);
  }
}

void EncoderRun::CopyPadded(Tensor& out, int64_t max_length) const {
  const int64_t d = encoder_.config_.d_model;
  for (int64_t length : lengths_) max_length = std::max(max_length, length);
  out.ResizeZeroed({sources(), max_length, d});
  for (int64_t b = 0; b < sources(); ++b) {
    std::memcpy(out.data() + b * max_length * d, states() + offsets_[b] * d,
                sizeof(float) * lengths_[b] * d);
  }
}

}  // namespace tserve::engine

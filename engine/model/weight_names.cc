#include "engine/model/weight_names.h"

#include "absl/strings/str_cat.h"

namespace tserve::engine {
namespace {

// model.encoder.layers.N.self_attn.q_proj, ..._layer_norm, fc1, fc2, final_layer_norm.
LayerNames BartLayer(const std::string& stack, int64_t layer) {
  const std::string p = absl::StrCat("model.", stack, ".layers.", layer, ".");
  const auto attention = [&](const std::string& a) {
    return AttentionNames{p + a + ".q_proj", p + a + ".k_proj", p + a + ".v_proj",
                          p + a + ".out_proj", p + a + "_layer_norm"};
  };
  LayerNames names;
  names.self_attention = attention("self_attn");
  names.cross_attention = attention("encoder_attn");
  names.feed_forward = {p + "fc1", "", p + "fc2", p + "final_layer_norm"};
  return names;
}

// encoder.block.N.layer.K.{SelfAttention,EncDecAttention,DenseReluDense}, each
// sub-layer with its own layer_norm; the decoder's feed-forward is sub-layer 2.
LayerNames T5Layer(const std::string& stack, bool gated, int64_t layer) {
  const std::string p = absl::StrCat(stack, ".block.", layer, ".layer.");
  const auto attention = [&](int sub, const std::string& a) {
    const std::string s = absl::StrCat(p, sub, ".");
    return AttentionNames{s + a + ".q", s + a + ".k", s + a + ".v", s + a + ".o", s + "layer_norm"};
  };
  LayerNames names;
  names.self_attention = attention(0, "SelfAttention");
  const int ffn = stack == "decoder" ? 2 : 1;
  if (stack == "decoder") names.cross_attention = attention(1, "EncDecAttention");
  const std::string f = absl::StrCat(p, ffn, ".");
  // A gated block is still named DenseReluDense, whatever its activation.
  const std::string d = f + "DenseReluDense.";
  names.feed_forward = gated ? FeedForwardNames{d + "wi_0", d + "wi_1", d + "wo", f + "layer_norm"}
                             : FeedForwardNames{d + "wi", "", d + "wo", f + "layer_norm"};
  return names;
}

}  // namespace

LayerNames EncoderLayerNames(WeightNaming naming, bool gated, int64_t layer) {
  return naming == WeightNaming::kT5 ? T5Layer("encoder", gated, layer)
                                     : BartLayer("encoder", layer);
}

LayerNames DecoderLayerNames(WeightNaming naming, bool gated, int64_t layer) {
  return naming == WeightNaming::kT5 ? T5Layer("decoder", gated, layer)
                                     : BartLayer("decoder", layer);
}

StackNames EncoderStackNames(WeightNaming naming) {
  if (naming == WeightNaming::kT5) {
    return {"", "encoder.final_layer_norm",
            "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"};
  }
  return {"model.encoder.layernorm_embedding", "model.encoder.layer_norm", ""};
}

StackNames DecoderStackNames(WeightNaming naming) {
  if (naming == WeightNaming::kT5) {
    return {"", "decoder.final_layer_norm",
            "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"};
  }
  return {"model.decoder.layernorm_embedding", "model.decoder.layer_norm", ""};
}

}  // namespace tserve::engine

#include "engine/model/weights.h"

#include <utility>
#include <vector>

#include "engine/ops/rms_norm.h"

namespace tserve::engine {

absl::StatusOr<std::vector<float>> WeightLoader::Read(std::string_view name,
                                                      std::initializer_list<int64_t> shape) const {
  read_.emplace(name);
  return checkpoint_.ReadFloat32(name, absl::Span<const int64_t>(shape.begin(), shape.size()));
}

std::vector<std::string> WeightLoader::UnreadTensors() const {
  std::vector<std::string> unread;
  for (const TensorEntry* t : checkpoint_.tensors()) {
    if (read_.find(t->name) == read_.end()) unread.push_back(t->name);
  }
  return unread;
}

namespace {

// What the profile (engine/core/profile.h) calls a product, from its
// weights' Hugging Face name: the stack and the kind of layer.
// BART's names (model.encoder.layers.N.self_attn.q_proj) and T5's
// (encoder.block.N.layer.0.SelfAttention.q).
const char* ProductLabel(const std::string& name) {
  const auto has = [&](const char* part) { return name.find(part) != std::string::npos; };
  const bool encoder = has(".encoder.") || name.rfind("encoder.", 0) == 0;
  if (has("encoder_attn.") || has("EncDecAttention.")) return "products: decoder cross-attention";
  if (has("self_attn.") || has("SelfAttention.")) {
    return encoder ? "products: encoder self-attention" : "products: decoder self-attention";
  }
  if (has(".fc1") || has(".fc2") || has("DenseReluDense.")) {
    return encoder ? "products: encoder feed-forward" : "products: decoder feed-forward";
  }
  return "products";
}

}  // namespace

absl::StatusOr<std::unique_ptr<Linear>> WeightLoader::LoadLinear(const std::string& prefix,
                                                                 int64_t in, int64_t out,
                                                                 Epilogue epilogue) const {
  return LoadFusedLinear({prefix}, in, out, /*scaled_parts=*/0, /*scale=*/1.f, epilogue);
}

absl::StatusOr<std::unique_ptr<Linear>> WeightLoader::LoadFusedLinear(
    const std::vector<std::string>& prefixes, int64_t in, int64_t out_each, int scaled_parts,
    float scale, Epilogue epilogue) const {
  const int64_t parts = static_cast<int64_t>(prefixes.size());
  std::vector<float> weight(static_cast<size_t>(parts * out_each * in));
  std::vector<float> bias(static_cast<size_t>(parts * out_each));
  for (int64_t p = 0; p < parts; ++p) {
    auto w = Read(prefixes[p] + ".weight", {out_each, in});
    if (!w.ok()) return w.status();
    const float s = p < scaled_parts ? scale : 1.f;
    float* w_dst = weight.data() + p * out_each * in;
    for (size_t i = 0; i < w->size(); ++i) w_dst[i] = (*w)[i] * s;
    if (!architecture_.linear_biases) continue;  // the bias stays zero
    auto b = Read(prefixes[p] + ".bias", {out_each});
    if (!b.ok()) return b.status();
    float* b_dst = bias.data() + p * out_each;
    for (size_t i = 0; i < b->size(); ++i) b_dst[i] = (*b)[i] * s;
  }
  auto linear =
      std::make_unique<Linear>(weight, bias, in, parts * out_each, epilogue, compute_type_);
  linear->set_profile_label(ProductLabel(prefixes.front()));
  return linear;
}

absl::StatusOr<std::unique_ptr<LayerNorm>> WeightLoader::LoadLayerNorm(const std::string& prefix,
                                                                       int64_t width,
                                                                       float epsilon) const {
  auto gamma = Read(prefix + ".weight", {width});
  if (!gamma.ok()) return gamma.status();
  auto beta = Read(prefix + ".bias", {width});
  if (!beta.ok()) return beta.status();
  return std::make_unique<LayerNorm>(std::move(gamma).value(), std::move(beta).value(), epsilon);
}

absl::StatusOr<std::unique_ptr<Norm>> WeightLoader::LoadNorm(const std::string& prefix,
                                                             int64_t width, float epsilon) const {
  if (architecture_.norm == NormKind::kLayerNorm) return LoadLayerNorm(prefix, width, epsilon);
  auto weight = Read(prefix + ".weight", {width});
  if (!weight.ok()) return weight.status();
  return std::make_unique<RmsNorm>(*std::move(weight), epsilon);
}

}  // namespace tserve::engine

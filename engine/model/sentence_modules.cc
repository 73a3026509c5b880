#include "engine/model/sentence_modules.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/model/checkpoint.h"
#include "engine/model/config.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

using Json = nlohmann::json;

constexpr char kTransformer[] = "sentence_transformers.models.Transformer";
constexpr char kPooling[] = "sentence_transformers.models.Pooling";
constexpr char kDense[] = "sentence_transformers.models.Dense";
constexpr char kNormalize[] = "sentence_transformers.models.Normalize";
constexpr char kIdentity[] = "torch.nn.modules.linear.Identity";
constexpr char kTanh[] = "torch.nn.modules.activation.Tanh";
// Dense's defaults when its config.json leaves them out (sentence_transformers Dense()).
constexpr bool kDefaultBias = true;
constexpr const char* kDefaultActivation = kTanh;
// Feature counts past this are a corrupt file, not a model.
constexpr int64_t kMaxFeatures = int64_t{1} << 20;
// The pooling modes of sentence-transformers' Pooling that tserve does not compute.
constexpr const char* kUnsupportedModes[] = {
    "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"};
// torch.nn.functional.normalize's eps.
constexpr float kNormalizeEps = 1e-12f;

absl::StatusOr<Json> ReadJsonFile(const std::string& path) {
  absl::StatusOr<std::string> text = internal::ReadFile(path);
  if (!text.ok()) return text.status();
  Json root = Json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", internal::DescribeJsonSyntaxError(*text)));
  }
  return root;
}

absl::Status Invalid(const std::string& where, std::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", std::string(message)));
}

// obj[key] as a bool; `fallback` when absent or null.
absl::StatusOr<bool> BoolField(const Json& obj, const std::string& where, const char* key,
                               bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return Invalid(where, absl::StrCat(key, " must be true or false"));
  return it->get<bool>();
}

absl::StatusOr<int64_t> FeatureCount(const Json& obj, const std::string& where, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_unsigned() || it->get<uint64_t>() == 0 ||
      it->get<uint64_t>() > static_cast<uint64_t>(kMaxFeatures)) {
    return Invalid(where, absl::StrCat(key, " must be an integer from 1 to ", kMaxFeatures));
  }
  return static_cast<int64_t>(it->get<uint64_t>());
}

// Pooling's config.json: exactly one of mean and CLS pooling, over d_model-wide states.
absl::StatusOr<SentencePooling> LoadPooling(const std::string& dir, int64_t d_model) {
  const std::string path = dir + "/config.json";
  absl::StatusOr<Json> config = ReadJsonFile(path);
  if (!config.ok()) return config.status();
  if (!config->is_object()) return Invalid(path, "must be a JSON object");
  absl::StatusOr<int64_t> width = FeatureCount(*config, path, "word_embedding_dimension");
  if (!width.ok()) return width.status();
  if (*width != d_model) {
    return Invalid(path, absl::StrCat("word_embedding_dimension is ", *width,
                                      " but the model's d_model is ", d_model));
  }
  for (const char* mode : kUnsupportedModes) {
    absl::StatusOr<bool> on = BoolField(*config, path, mode, false);
    if (!on.ok()) return on.status();
    if (*on) {
      return absl::UnimplementedError(absl::StrCat(
          path, ": ", mode, " is set; tserve pools with the mean or the first (CLS) token only"));
    }
  }
  absl::StatusOr<bool> mean = BoolField(*config, path, "pooling_mode_mean_tokens", false);
  if (!mean.ok()) return mean.status();
  absl::StatusOr<bool> cls = BoolField(*config, path, "pooling_mode_cls_token", false);
  if (!cls.ok()) return cls.status();
  if (*mean == *cls) {
    return Invalid(path, *mean ? "sets both pooling_mode_mean_tokens and pooling_mode_cls_token "
                                 "(their concatenation); tserve takes exactly one"
                               : "sets neither pooling_mode_mean_tokens nor "
                                 "pooling_mode_cls_token");
  }
  return *mean ? SentencePooling::kMean : SentencePooling::kCls;
}

// Dense's config.json and weights; `in_width` is the width of the vector it receives.
absl::StatusOr<SentenceStep> LoadDense(const std::string& dir, int64_t in_width) {
  const std::string path = dir + "/config.json";
  absl::StatusOr<Json> config = ReadJsonFile(path);
  if (!config.ok()) return config.status();
  if (!config->is_object()) return Invalid(path, "must be a JSON object");
  SentenceStep step;
  step.kind = SentenceStep::Kind::kDense;
  absl::StatusOr<int64_t> in = FeatureCount(*config, path, "in_features");
  if (!in.ok()) return in.status();
  absl::StatusOr<int64_t> out = FeatureCount(*config, path, "out_features");
  if (!out.ok()) return out.status();
  step.in_features = *in;
  step.out_features = *out;
  if (step.in_features != in_width) {
    return Invalid(path, absl::StrCat("in_features is ", step.in_features,
                                      " but the module before it gives ", in_width, " values"));
  }
  absl::StatusOr<bool> bias = BoolField(*config, path, "bias", kDefaultBias);
  if (!bias.ok()) return bias.status();
  std::string activation(kDefaultActivation);
  if (auto it = config->find("activation_function"); it != config->end() && !it->is_null()) {
    if (!it->is_string()) return Invalid(path, "activation_function must be a string");
    activation = it->get<std::string>();
  }
  if (activation != kIdentity && activation != kTanh) {
    return absl::UnimplementedError(absl::StrCat(path, ": activation_function '", activation,
                                                 "' is not supported; tserve has ", kIdentity,
                                                 " and ", kTanh));
  }
  step.tanh = activation == kTanh;

  absl::StatusOr<std::unique_ptr<Checkpoint>> weights = Checkpoint::Open(dir);
  if (!weights.ok()) return weights.status();
  absl::StatusOr<std::vector<float>> weight =
      (*weights)->ReadFloat32("linear.weight", {step.out_features, step.in_features});
  if (!weight.ok()) return weight.status();
  step.weight = *std::move(weight);
  if (*bias) {
    absl::StatusOr<std::vector<float>> b =
        (*weights)->ReadFloat32("linear.bias", {step.out_features});
    if (!b.ok()) return b.status();
    step.bias = *std::move(b);
  } else if ((*weights)->Find("linear.bias") != nullptr) {
    return Invalid(path, "bias is false but the weights have linear.bias");
  }
  return step;
}

// A module path must name a directory inside the model directory.
bool IsPlainRelativePath(const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return false;
  return std::none_of(p.begin(), p.end(),
                      [](const std::filesystem::path& part) { return part == ".."; });
}

}  // namespace

absl::StatusOr<std::optional<SentenceModules>> LoadSentenceModules(const std::string& model_dir,
                                                                   int64_t d_model) {
  const std::string list_path = model_dir + "/modules.json";
  if (!std::filesystem::exists(list_path)) return std::optional<SentenceModules>();
  absl::StatusOr<Json> list = ReadJsonFile(list_path);
  if (!list.ok()) return list.status();
  if (!list->is_array() || list->empty()) {
    return Invalid(list_path, "must be a non-empty list of modules");
  }
  SentenceModules modules;
  modules.input_width_ = d_model;
  int64_t width = d_model;
  bool pooled = false;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& entry = (*list)[i];
    const std::string where = absl::StrCat(list_path, ": module ", i);
    if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string() ||
        !entry.contains("path") || !entry["path"].is_string()) {
      return Invalid(where, "must be an object with a string type and path");
    }
    const auto type = entry["type"].get<std::string>();
    const auto path = entry["path"].get<std::string>();
    if (!IsPlainRelativePath(path)) {
      return Invalid(where, absl::StrCat("path '", path, "' leaves the model directory"));
    }
    const std::string dir = path.empty() ? model_dir : absl::StrCat(model_dir, "/", path);
    // The encoder itself, which tserve runs; its sentence_bert_config.json is not read.
    if (type == kTransformer) {
      if (i != 0 || !path.empty()) {
        return Invalid(where,
                       "the Transformer must be the first module, with path \"\" (the "
                       "model directory itself)");
      }
      continue;
    }
    if (i == 0) {
      return Invalid(where,
                     absl::StrCat("the first module must be ", kTransformer, ", not ", type));
    }
    if (type == kPooling) {
      if (i != 1) return Invalid(where, "Pooling must come right after the Transformer");
      absl::StatusOr<SentencePooling> pooling = LoadPooling(dir, d_model);
      if (!pooling.ok()) return pooling.status();
      modules.pooling_ = *pooling;
      pooled = true;
      continue;
    }
    const bool dense = type == kDense;
    if (!dense && type != kNormalize) {
      return Invalid(where,
                     absl::StrCat("module type '", type, "' is not supported; tserve runs ",
                                  kTransformer, ", ", kPooling, ", ", kDense, " and ", kNormalize));
    }
    if (!pooled) return Invalid(where, absl::StrCat(type, " needs a Pooling module before it"));
    if (dense) {
      absl::StatusOr<SentenceStep> step = LoadDense(dir, width);
      if (!step.ok()) return step.status();
      width = step->out_features;
      modules.steps_.push_back(*std::move(step));
    } else {
      modules.steps_.push_back(SentenceStep{});  // kNormalize
    }
  }
  if (!pooled) return Invalid(list_path, "has no Pooling module");
  modules.output_width_ = width;
  return std::optional<SentenceModules>(std::move(modules));
}

// Numerics, against sentence-transformers' float32 PyTorch modules:
// - Mean: torch sums the masked rows in float32 (a cascade sum, within an ulp or so of
//   the exact sum) and divides by the float32 count. Here the sum is accumulated in
//   double and rounded once (the correctly rounded sum torch approximates), then divided
//   in float32 as torch does.
// - Dense: nn.Linear's float32 matmul accumulates in float32 in a blocked order; the dot
//   products here accumulate in double, add the bias and round once, then the activation
//   is taken in float32.
// - Normalize: F.normalize divides by max(||x||, 1e-12) with the norm in float32; the norm
//   here is a double sum of squares rounded once, the division float32.
std::vector<float> SentenceModules::Apply(const float* states, int64_t length, int64_t d) const {
  if (d != input_width_) return {};
  std::vector<float> x(static_cast<size_t>(d), 0.0f);
  if (length > 0) {
    if (pooling_ == SentencePooling::kCls) {
      std::copy(states, states + d, x.begin());
    } else {
      std::vector<double> sum(static_cast<size_t>(d), 0.0);
      for (int64_t row = 0; row < length; ++row) {
        const float* values = states + row * d;
        for (int64_t j = 0; j < d; ++j) sum[static_cast<size_t>(j)] += values[j];
      }
      const auto count = static_cast<float>(length);
      for (int64_t j = 0; j < d; ++j) {
        x[static_cast<size_t>(j)] = static_cast<float>(sum[static_cast<size_t>(j)]) / count;
      }
    }
  }
  for (const SentenceStep& step : steps_) {
    if (step.kind == SentenceStep::Kind::kNormalize) {
      double squares = 0;
      for (float v : x) squares += static_cast<double>(v) * v;
      const float norm = std::max(static_cast<float>(std::sqrt(squares)), kNormalizeEps);
      for (float& v : x) v /= norm;
      continue;
    }
    std::vector<float> y(static_cast<size_t>(step.out_features));
    for (int64_t o = 0; o < step.out_features; ++o) {
      const float* row = step.weight.data() + o * step.in_features;
      double acc = step.bias.empty() ? 0.0 : step.bias[static_cast<size_t>(o)];
      for (int64_t k = 0; k < step.in_features; ++k) {
        acc += static_cast<double>(row[k]) * x[static_cast<size_t>(k)];
      }
      const auto value = static_cast<float>(acc);
      y[static_cast<size_t>(o)] = step.tanh ? std::tanh(value) : value;
    }
    x = std::move(y);
  }
  return x;
}

}  // namespace tserve::engine

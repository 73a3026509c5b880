// The sentence-transformers pipeline of a model directory (modules.json), which turns
// the encoder's final states into one sentence embedding, as SentenceTransformer.encode
// does: sentence-T5 (sentence-transformers/sentence-t5-*), GTR-T5 and the like.
//
// modules.json lists the modules in order; supported are
//   sentence_transformers.models.Transformer  first, path "": the model directory itself
//   sentence_transformers.models.Pooling      <path>/config.json: mean or CLS pooling
//   sentence_transformers.models.Dense        <path>/config.json and linear.weight
//                                             [out, in] (+ linear.bias) in
//                                             <path>/model.safetensors or pytorch_model.bin
//   sentence_transformers.models.Normalize    L2 normalization
// with Pooling right after the Transformer and any number of Dense and Normalize modules
// after it, applied in order.
#ifndef TSERVE_ENGINE_MODEL_SENTENCE_MODULES_H_
#define TSERVE_ENGINE_MODEL_SENTENCE_MODULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tserve::engine {

enum class SentencePooling {
  kMean,  // pooling_mode_mean_tokens: the mean of the real (unpadded) positions
  kCls,   // pooling_mode_cls_token: position 0
};

// One module after pooling.
struct SentenceStep {
  enum class Kind { kDense, kNormalize };
  Kind kind = Kind::kNormalize;
  // kDense: y = activation(weight · x + bias).
  int64_t in_features = 0;
  int64_t out_features = 0;
  std::vector<float> weight;  // [out_features, in_features], row-major
  std::vector<float> bias;    // out_features values; empty without a bias
  bool tanh = false;          // activation torch.nn.Tanh; false: torch.nn.Identity
};

class SentenceModules {
 public:
  SentencePooling pooling() const { return pooling_; }
  // The width of the encoder states Apply takes (the model's d_model) and of the vector
  // it returns (the last Dense module's out_features, else input_width()).
  int64_t input_width() const { return input_width_; }
  int64_t output_width() const { return output_width_; }
  const std::vector<SentenceStep>& steps() const { return steps_; }

  // The sentence embedding of one sequence: `states` holds its `length` real positions
  // ([length, d] row-major, padding excluded), d == input_width(). Pooling, then each
  // step, in float32 as PyTorch computes them (sentence_modules.cc says how closely).
  // Returns output_width() values; empty when d != input_width(). A length of 0 gives
  // zeros, as sentence-transformers' clamped mean does.
  std::vector<float> Apply(const float* states, int64_t length, int64_t d) const;

 private:
  friend absl::StatusOr<std::optional<SentenceModules>> LoadSentenceModules(
      const std::string& model_dir, int64_t d_model);

  SentencePooling pooling_ = SentencePooling::kMean;
  int64_t input_width_ = 0;
  int64_t output_width_ = 0;
  std::vector<SentenceStep> steps_;
};

// nullopt when `model_dir` has no modules.json (a plain Hugging Face model). Otherwise
// the pipeline, or an error naming the file and module: INVALID_ARGUMENT for a module
// type not listed above, a misplaced module, a Pooling word_embedding_dimension other
// than `d_model`, a Dense in_features other than the width before it, or tensors of the
// wrong shape; UNIMPLEMENTED for pooling modes (max, mean_sqrt_len, weightedmean,
// lasttoken) and activations that sentence-transformers has but tserve does not;
// NOT_FOUND for a missing config.json, weights file or tensor.
absl::StatusOr<std::optional<SentenceModules>> LoadSentenceModules(const std::string& model_dir,
                                                                   int64_t d_model);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_MODEL_SENTENCE_MODULES_H_

#pragma once

// The engine's public surface: what the server uses. Everything else under
// engine/ is an implementation detail of this header.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/decode/decoding_options.h"
#include "engine/decode/generator.h"
#include "engine/model/config.h"
#include "engine/model/marian_model.h"
#include "engine/text/tokenizer.h"

namespace tserve::engine {

enum class Pooling { kMean, kFirst, kNone };

struct LoadOptions {
  // Intra-op threads for calls made by the loading thread; 0 = all cores.
  int threads = 0;
  // How matrix products are computed (engine/ops/compute_type.h).
  ComputeType compute_type = ComputeType::kFloat32;
};

// A loaded MarianMT model with its tokenizer. Const methods are safe to call
// from several threads at once.
class TranslationModel {
 public:
  static absl::StatusOr<std::unique_ptr<TranslationModel>> Load(const std::string& model_dir,
                                                                const LoadOptions& options = {});

  const ModelConfig& config() const { return model_->config(); }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const MarianModel& marian() const { return *model_; }
  SearchVocab search_vocab() const;

  // Checks source token sequences: non-empty, ids inside the source vocabulary,
  // no longer than the model's positions.
  absl::Status ValidateSources(absl::Span<const std::vector<int32_t>> sources) const;

  // Translates token sequences of any lengths, batched together (padding and
  // masks are internal). One result per source, in order.
  absl::StatusOr<std::vector<GenerationResult>> Translate(
      absl::Span<const std::vector<int32_t>> sources, const DecodingOptions& options) const;

  // Encoder final states of each source, [length, d_model] row-major.
  absl::StatusOr<std::vector<std::vector<float>>> EncoderStates(
      absl::Span<const std::vector<int32_t>> sources) const;

  // Pooled encoder states: one d_model vector per source (kMean, kFirst) or
  // all rows (kNone), optionally L2-normalised (each vector separately).
  absl::StatusOr<std::vector<std::vector<float>>> Embed(
      absl::Span<const std::vector<int32_t>> sources, Pooling pooling, bool normalize) const;

  // Step-level API (used by the batching scheduler): encodes a batch and
  // returns each source's cross-attention memory, ready to join a Generator.
  std::vector<std::shared_ptr<const SourceMemory>> EncodeForDecoding(
      absl::Span<const std::vector<int32_t>> sources, EncoderWorkspace& encoder_workspace,
      DecoderWorkspace& decoder_workspace) const;
  std::unique_ptr<Generator> NewGenerator() const;

  // Padded encoder states of a batch: [batch, max_length, d_model].
  void EncodeBatch(const PaddedBatch& batch, EncoderWorkspace& workspace, Tensor& states) const;

 private:
  TranslationModel() = default;

  std::unique_ptr<MarianModel> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

// Pools encoder states of one sequence ([length, d] row-major) as `pooling` says.
std::vector<float> PoolStates(const float* states, int64_t length, int64_t width, Pooling pooling,
                              bool normalize);

}  // namespace tserve::engine

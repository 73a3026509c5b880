#pragma once

// The engine's public surface: what the server uses. Everything else under
// engine/ is an implementation detail of this header.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "engine/decode/decoding_options.h"
#include "engine/decode/generator.h"
#include "engine/model/config.h"
#include "engine/model/marian_model.h"
#include "engine/model/sentence_modules.h"
#include "engine/text/tokenizer.h"

namespace tserve::engine {

enum class Pooling {
  kMean,
  kFirst,
  kNone,
  // The model's sentence-transformers modules (modules.json: pooling, dense layers,
  // normalization), as SentenceTransformer.encode computes the embedding.
  kSentenceModules,
};

// The encoder work of one batch of sources, done a slice at a time: the
// batching scheduler runs slices between decoder steps, so a long input never
// holds the decoder up for long. Work is counted in tokens: one token is one
// source token through the products of every encoder layer; attention over
// long sources and the cross-attention projections of kSourceMemories count
// in the same unit. The results are bit-identical however the work is sliced
// (EncoderRun).
class EncodingTask {
 public:
  // What the task makes: encoder states (Encode), or the cross-attention
  // memories a Generator decodes from (Translate).
  enum class Output { kStates, kSourceMemories };

  EncodingTask(const EncodingTask&) = delete;
  EncodingTask& operator=(const EncodingTask&) = delete;

  bool done() const { return run_.done() && memory_layer_ == memory_layers_; }
  // Work left, in tokens.
  double remaining() const;
  // Runs slices while their cost fits in `budget` tokens; returns the cost
  // spent, never more than `budget`. A budget of at least max_row_cost()
  // always makes progress.
  double Run(double budget);
  // Runs everything left.
  void Finish();
  // The most one row of one slice costs, in tokens.
  double max_row_cost() const;

  int64_t size() const { return run_.sources(); }
  int64_t length(int64_t b) const { return run_.length(b); }
  // kStates, once done: source b's states, length(b) rows of d_model.
  const float* states(int64_t b) const;
  // kSourceMemories, once done.
  std::shared_ptr<const SourceMemory> memory(int64_t b) const { return memories_[b]; }

 private:
  friend class TranslationModel;
  EncodingTask(const MarianModel& model, absl::Span<const std::vector<int32_t>> sources,
               Output output, EncoderWorkspace* encoder_workspace,
               DecoderWorkspace* decoder_workspace);
  // The cross-attention projections, after the encoder (kSourceMemories).
  double RunMemories(double budget);

  EncoderRun run_;
  const Decoder* decoder_;  // null for an encoder-only model (kStates only)
  const int64_t d_model_;
  int64_t memory_width_ = 0;  // of a cross-attention memory row: keys and values
  // Layer-rows (EncoderRun's unit) per token.
  double layer_rows_per_token_ = 1;
  // The projection stage: decoder layer and row it is at.
  int64_t memory_layer_ = 0;
  int64_t memory_layers_ = 0;
  int64_t memory_row_ = 0;
  double memory_row_cost_ = 0;  // layer-rows
  std::vector<std::shared_ptr<SourceMemory>> memories_;
  Tensor own_keys_values_;
  Tensor* keys_values_ = nullptr;
};

// The buffers of an EncodingTask (see TranslationModel::StartEncoding).
struct EncodingWorkspace {
  EncoderWorkspace encoder;
  DecoderWorkspace decoder;
};

struct LoadOptions {
  // Intra-op threads for calls made by the loading thread; 0 = all cores.
  int threads = 0;
  // How matrix products are computed (engine/ops/compute_type.h).
  ComputeType compute_type = ComputeType::kFloat32;
  // false: the model without its tokenizer (tests that work on token ids);
  // tokenizer() must not be called then.
  bool load_tokenizer = true;
};

// A loaded encoder-decoder model (any family, engine/model/family.h) with its tokenizer. Const
// methods are safe to call from several threads at once.
class TranslationModel {
 public:
  static absl::StatusOr<std::unique_ptr<TranslationModel>> Load(const std::string& model_dir,
                                                                const LoadOptions& options = {});

  const ModelConfig& config() const { return model_->config(); }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const MarianModel& marian() const { return *model_; }
  // False for an encoder-only checkpoint (sentence-T5): Encode only, no Translate.
  bool has_decoder() const { return model_->has_decoder(); }
  // INVALID_ARGUMENT naming the reason when the model cannot translate.
  absl::Status CheckCanTranslate() const;
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
  // all rows (kNone), or the sentence-transformers embedding (kSentenceModules),
  // optionally L2-normalised (each vector separately).
  absl::StatusOr<std::vector<std::vector<float>>> Embed(
      absl::Span<const std::vector<int32_t>> sources, Pooling pooling, bool normalize) const;
  // The pooling of an Encode that names none: the model's sentence-transformers
  // modules when it has them, else the mean.
  Pooling default_pooling() const {
    return sentence_modules_ ? Pooling::kSentenceModules : Pooling::kMean;
  }
  // INVALID_ARGUMENT when the model cannot pool so (kSentenceModules without modules.json).
  absl::Status CheckPooling(Pooling pooling) const;
  // One source's encoder states ([length, d_model]) pooled; `pooling` passed CheckPooling.
  std::vector<float> Pool(const float* states, int64_t length, Pooling pooling,
                          bool normalize) const;
  // The width of one pooled vector (one row of kNone).
  int64_t pooled_width(Pooling pooling) const;
  const std::optional<SentenceModules>& sentence_modules() const { return sentence_modules_; }

  // Step-level API (used by the batching scheduler): encodes a batch and
  // returns each source's cross-attention memory, ready to join a Generator.
  std::vector<std::shared_ptr<const SourceMemory>> EncodeForDecoding(
      absl::Span<const std::vector<int32_t>> sources, EncoderWorkspace& encoder_workspace,
      DecoderWorkspace& decoder_workspace) const;
  // Null without a decoder.
  std::unique_ptr<Generator> NewGenerator() const;
  // The same work as a task the caller runs a slice at a time. The sources
  // are copied; the task must not outlive this model.
  // `workspace`, when given, holds the buffers the task works in and must
  // outlive it: reusing one between tasks saves allocating (and
  // page-faulting) tens of megabytes for every long batch.
  std::unique_ptr<EncodingTask> StartEncoding(absl::Span<const std::vector<int32_t>> sources,
                                              EncodingTask::Output output,
                                              EncodingWorkspace* workspace = nullptr) const;

  // Padded encoder states of a batch: [batch, max_length, d_model].
  void EncodeBatch(const PaddedBatch& batch, EncoderWorkspace& workspace, Tensor& states) const;

 private:
  TranslationModel() = default;

  // What a Translate call works with. Kept between calls: a call reuses an
  // idle one, whose generator still holds the decoder caches of earlier
  // calls, instead of allocating (and page-faulting) them anew; there are at
  // most as many as calls ever ran at once.
  struct TranslateState {
    std::unique_ptr<Generator> generator;
    EncoderWorkspace encoder_workspace;
    DecoderWorkspace decoder_workspace;
  };
  std::unique_ptr<TranslateState> TakeTranslateState() const;
  void ReturnTranslateState(std::unique_ptr<TranslateState> state) const;

  std::unique_ptr<MarianModel> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::optional<SentenceModules> sentence_modules_;  // modules.json, when present
  mutable absl::Mutex idle_mutex_;
  mutable std::vector<std::unique_ptr<TranslateState>> idle_states_ ABSL_GUARDED_BY(idle_mutex_);
};

// Pools encoder states of one sequence ([length, d] row-major) as `pooling` says
// (kMean, kFirst, kNone).
std::vector<float> PoolStates(const float* states, int64_t length, int64_t width, Pooling pooling,
                              bool normalize);

}  // namespace tserve::engine

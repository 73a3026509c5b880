#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/core/tensor.h"
#include "engine/model/config.h"
#include "engine/model/feed_forward.h"
#include "engine/model/positions.h"
#include "engine/model/stack_parts.h"
#include "engine/model/weights.h"
#include "engine/ops/attention.h"
#include "engine/ops/embedding.h"
#include "engine/ops/norm.h"

namespace tserve::engine {

// Token sequences of any lengths, right-padded to the longest.
struct PaddedBatch {
  int64_t batch_size = 0;
  int64_t max_length = 0;
  std::vector<int32_t> ids;      // [batch_size, max_length], padding = pad id
  std::vector<int32_t> lengths;  // real length of each sequence

  static PaddedBatch FromSequences(absl::Span<const std::vector<int32_t>> sequences,
                                   int32_t pad_id);
};

// Scratch buffers of one encoder pass; reusing them avoids reallocating.
struct EncoderWorkspace {
  Tensor hidden;     // [real rows, d]: the states, padding left out
  Tensor qkv;        // [real rows, 3a] (a: the attention width, heads · head_dim)
  Tensor attention;  // [rows of a slice, a]
  Tensor ffn;        // [rows of a slice, ffn] (gated: [rows, 2·ffn], both input projections)
  Tensor gated;      // [rows of a slice, ffn]: a gated block's product
  Tensor normed;     // [rows of a slice, d]: a pre-LayerNorm block's input
  std::vector<int32_t> positions;
  std::vector<AttentionTask> tasks;
};

class Encoder;

// One encoder pass over a batch of sources, run a slice at a time so that a
// caller can do other work between slices (the batching scheduler runs
// decoder steps there, so a long input never holds them up for long).
//
// Padding is left out: the real rows of all sources are stored one after
// the other, source b's from offset(b). A layer runs in two phases: the
// q/k/v projection of every row, then, row by row, attention over the row's
// own source, the output projection, the feed-forward block and both norms
// (attention needs the projection of every row of its source, hence the
// order). A slice is a block of consecutive rows of one phase. Every kernel
// computes a row independently of the other rows of its call (engine/ops:
// the batch-invariance contract), so the states are bit-identical however
// the pass is sliced: one slice per phase (Encoder::Forward) or one row.
class EncoderRun {
 public:
  // `workspace` is used for the buffers when given (it must outlive the
  // run); otherwise the run allocates its own on its first Step().
  EncoderRun(const Encoder& encoder, absl::Span<const std::vector<int32_t>> sources,
             EncoderWorkspace* workspace = nullptr);

  EncoderRun(const EncoderRun&) = delete;
  EncoderRun& operator=(const EncoderRun&) = delete;

  // Runs slices while their cost fits in `budget` and returns the cost
  // spent, never more than `budget`. Costs are in layer-rows: one row
  // through the products of one layer costs 1; attention adds in proportion
  // to the source's length. Spends nothing once done, or when not even one
  // row of the next phase fits.
  double Step(double budget);
  // Runs every slice left.
  void Finish();

  bool done() const { return layer_ == num_layers_; }
  // Cost of the work left, in layer-rows.
  double remaining() const { return remaining_; }
  // The most one row of any phase costs (the smallest budget that always
  // makes progress).
  double max_row_cost() const;

  int64_t sources() const { return static_cast<int64_t>(lengths_.size()); }
  int64_t length(int64_t b) const { return lengths_[b]; }
  int64_t offset(int64_t b) const { return offsets_[b]; }
  int64_t rows() const { return rows_; }
  // The states, [rows(), d_model]: source b's at row offset(b). Final once done().
  const float* states() const { return ws_->hidden.data(); }
  // Copies the states to [sources, max(max_length, longest), d_model] with
  // zero padding (the layout of Encoder::Forward).
  void CopyPadded(Tensor& out, int64_t max_length = 0) const;

 private:
  double PhaseCost(int phase, int64_t row) const;
  void Start();
  // Runs rows [begin, end) of the current phase.
  void RunSlice(int64_t begin, int64_t end);

  const Encoder& encoder_;
  std::vector<int32_t> ids_;
  std::vector<int64_t> lengths_;
  std::vector<int64_t> offsets_;
  std::vector<int64_t> source_of_row_;
  int64_t rows_ = 0;
  int64_t num_layers_ = 0;

  std::unique_ptr<EncoderWorkspace> own_workspace_;
  EncoderWorkspace* ws_ = nullptr;
  bool started_ = false;

  // Where the pass is: phase 0 (projection) or 1 (the rest) of layer_, from
  // row row_.
  int64_t layer_ = 0;
  int phase_ = 0;
  int64_t row_ = 0;
  double remaining_ = 0;
  // Per-row costs: the projection; the rest, plus per key of attention.
  double projection_cost_ = 0;
  double rest_cost_ = 0;
  double attention_cost_per_key_ = 0;
};

// The encoder: embeddings + positions (+ the embedding LayerNorm), then layers of
// self-attention (keys masked to each sequence's length; T5: plus the relative
// position bias) and feed-forward (T5 v1.1: gated), post- or pre-norm (+ a final norm),
// as config.architecture says.
class Encoder {
 public:
  static absl::StatusOr<std::unique_ptr<Encoder>> Load(const WeightLoader& weights,
                                                       const ModelConfig& config,
                                                       const Embedding* embedding,
                                                       const PositionTable* positions);

  // states: [batch_size, max_length, d_model]. Rows past a sequence's length
  // are padding: never computed, left zero. One EncoderRun in a single slice
  // per phase.
  void Forward(const PaddedBatch& batch, EncoderWorkspace& workspace, Tensor& states) const;

  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }
  const ModelConfig& config() const { return config_; }

 private:
  friend class EncoderRun;

  struct Layer {
    std::unique_ptr<Linear> qkv;       // d -> 3a, queries pre-scaled
    std::unique_ptr<Linear> out_proj;  // a -> d, accumulates into the residual
    std::unique_ptr<Norm> self_attn_norm;
    FeedForward feed_forward;
    std::unique_ptr<Norm> final_norm;  // the feed-forward block's norm
  };

  Encoder(const ModelConfig& config, const Embedding* embedding, const PositionTable* positions)
      : config_(config), embedding_(embedding), positions_(positions) {}

  ModelConfig config_;
  const Embedding* embedding_;
  const PositionTable* positions_;
  StackParts stack_;  // the norms around the layers, T5's relative position bias
  std::vector<Layer> layers_;
};

}  // namespace tserve::engine

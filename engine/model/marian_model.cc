#include "engine/model/marian_model.h"

#include <cmath>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/core/status_macros.h"
#include "engine/model/checkpoint.h"
#include "engine/model/positions.h"
#include "engine/model/safetensors.h"
#include "engine/model/weights.h"

namespace tserve::engine {
namespace {

// The tensor holding the source embeddings. transformers writes model.shared.weight
// with a shared vocabulary (the embed_tokens are views of it, often left out of the
// file); with separate vocabularies model.shared is None and only
// model.encoder.embed_tokens.weight exists.
// T5 names them shared.weight, encoder.embed_tokens.weight and
// decoder.embed_tokens.weight.
absl::StatusOr<std::string> SourceEmbeddingName(const WeightLoader& weights,
                                                const ModelConfig& config) {
  const std::string prefix = config.architecture.naming == WeightNaming::kT5 ? "" : "model.";
  std::vector<std::string> candidates = {prefix + "shared.weight",
                                         prefix + "encoder.embed_tokens.weight"};
  if (!config.separate_vocabs() && !config.encoder_only) {
    candidates.push_back(prefix + "decoder.embed_tokens.weight");
  }
  for (const std::string& name : candidates) {
    if (weights.Has(name)) return name;
  }
  return absl::NotFoundError(absl::StrCat("the checkpoint has no source embeddings: none of ",
                                          absl::StrJoin(candidates, ", "), " is present"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<MarianModel>> MarianModel::Load(const std::string& model_dir,
                                                               ComputeType compute_type) {
  std::unique_ptr<MarianModel> model(new MarianModel());
  TSERVE_ASSIGN_OR_RETURN(model->config_, LoadModelConfig(model_dir));
  const ModelConfig& config = model->config_;
  TSERVE_ASSIGN_OR_RETURN(std::unique_ptr<Checkpoint> checkpoint, Checkpoint::Open(model_dir));
  WeightLoader weights(*checkpoint, compute_type, config.architecture);

  const int64_t d = config.d_model;
  const float scale = config.scale_embedding ? std::sqrt(static_cast<float>(d)) : 1.f;
  TSERVE_ASSIGN_OR_RETURN(
      model->encoder_positions_,
      PositionTable::Load(weights, "model.encoder.embed_positions.weight", config));
  TSERVE_ASSIGN_OR_RETURN(
      model->decoder_positions_,
      PositionTable::Load(weights, "model.decoder.embed_positions.weight", config));

  // Embedding tables are looked up, not multiplied: the lower-precision
  // compute types keep them in bfloat16, float32 keeps them exact.
  const Embedding::Storage storage = compute_type == ComputeType::kFloat32
                                         ? Embedding::Storage::kFloat32
                                         : Embedding::Storage::kBfloat16;
  TSERVE_ASSIGN_OR_RETURN(std::string source_name, SourceEmbeddingName(weights, config));
  TSERVE_ASSIGN_OR_RETURN(std::vector<float> source_table,
                          weights.Read(source_name, {config.vocab_size, d}));
  auto shared = std::make_shared<const std::vector<float>>(std::move(source_table));
  model->source_embedding_ = std::make_unique<Embedding>(
      shared, d, scale, model->encoder_positions_.embedding_table(), storage);
  // The float32 target table, held here until the decoder has packed it as
  // its output projection when the two are tied.
  std::shared_ptr<const std::vector<float>> target;
  if (config.separate_vocabs()) {
    TSERVE_ASSIGN_OR_RETURN(
        std::vector<float> target_table,
        weights.Read("model.decoder.embed_tokens.weight", {config.target_vocab_size(), d}));
    target = std::make_shared<const std::vector<float>>(std::move(target_table));
    model->target_embedding_ = std::make_unique<Embedding>(
        target, d, scale, model->decoder_positions_.embedding_table(), storage);
  } else {
    target = std::move(shared);
    model->target_embedding_ = std::make_unique<Embedding>(
        *model->source_embedding_, model->decoder_positions_.embedding_table());
  }

  TSERVE_ASSIGN_OR_RETURN(
      model->encoder_,
      Encoder::Load(weights, config, model->source_embedding_.get(), &model->encoder_positions_));
  if (!config.encoder_only) {
    TSERVE_ASSIGN_OR_RETURN(
        model->decoder_,
        Decoder::Load(weights, config, model->target_embedding_.get(), &model->decoder_positions_,
                      config.tie_word_embeddings ? target.get() : nullptr));
    // A tied output projection in float32 or bfloat16 panels holds the
    // target table's values: the embeddings read their rows there, and the
    // table, as large as the projection, is let go.
    if (config.tie_word_embeddings) {
      const Linear& output = model->decoder_->output_projection();
      if (model->target_embedding_->ReadRowsFrom(output) && !config.separate_vocabs()) {
        model->source_embedding_->ReadRowsFrom(output);
      }
    }
  }
  model->unused_tensors_ = weights.UnreadTensors();
  return model;
}

}  // namespace tserve::engine

#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model/config.h"
#include "engine/model/decoder.h"
#include "engine/model/encoder.h"
#include "engine/model/positions.h"
#include "engine/ops/compute_type.h"
#include "engine/ops/embedding.h"

namespace tserve::engine {

// The weights of an encoder-decoder model loaded from a Hugging Face directory
// (config.json + the weights in any published layout, engine/model/checkpoint.h),
// as an encoder and a step-wise decoder. One class for every family (MarianMT,
// M2M100/NLLB, BART/mBART, T5/mT5): the family only sets config().architecture's
// switches. An encoder-only checkpoint (T5EncoderModel) has no decoder.
class MarianModel {
 public:
  static absl::StatusOr<std::unique_ptr<MarianModel>> Load(const std::string& model_dir,
                                                           ComputeType compute_type);

  const ModelConfig& config() const { return config_; }
  const Encoder& encoder() const { return *encoder_; }
  // Only when has_decoder().
  const Decoder& decoder() const { return *decoder_; }
  bool has_decoder() const { return decoder_ != nullptr; }
  // Tensors of the checkpoint the model does not read (tied views, stored
  // position tables it has no use for, other frameworks' buffers), by name.
  const std::vector<std::string>& unused_tensors() const { return unused_tensors_; }

 private:
  MarianModel() = default;

  ModelConfig config_;
  PositionTable encoder_positions_;
  PositionTable decoder_positions_;
  std::unique_ptr<Embedding> source_embedding_;
  std::unique_ptr<Embedding> target_embedding_;  // == source_embedding_ unless separate vocabs
  std::unique_ptr<Encoder> encoder_;
  std::unique_ptr<Decoder> decoder_;
  std::vector<std::string> unused_tensors_;
};

}  // namespace tserve::engine

// The parts of a SentencePiece model file (a serialized sentencepiece.ModelProto,
// as source.spm and target.spm are) that encoding and decoding use. Field numbers
// follow sentencepiece_model.proto; other fields are skipped.
#ifndef TSERVE_ENGINE_TEXT_SENTENCEPIECE_MODEL_H_
#define TSERVE_ENGINE_TEXT_SENTENCEPIECE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tserve::engine::spm {

// ModelProto.SentencePiece.Type.
enum class PieceType : int32_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// TrainerSpec.ModelType.
enum class ModelType : int32_t { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };

std::string_view ModelTypeName(ModelType type);

struct Piece {
  std::string piece;
  float score = 0.0f;
  PieceType type = PieceType::kNormal;
};

struct TrainerSpec {
  ModelType model_type = ModelType::kUnigram;
  bool treat_whitespace_as_suffix = false;
  bool byte_fallback = false;
  int32_t unk_id = 0;
  int32_t bos_id = 1;
  int32_t eos_id = 2;
  int32_t pad_id = -1;
  std::string unk_surface = " \xE2\x81\x87 ";  // " ⁇ "
};

struct NormalizerSpec {
  std::string name;
  std::string precompiled_charsmap;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

struct ModelProto {
  std::vector<Piece> pieces;
  TrainerSpec trainer_spec;
  NormalizerSpec normalizer_spec;
  // Applied to decoded text when present (SentencePiece uses it only when its
  // charsmap is not empty).
  std::optional<NormalizerSpec> denormalizer_spec;
};

// Parses a serialized ModelProto. Errors describe the first problem in the bytes.
absl::StatusOr<ModelProto> ParseModelProto(std::string_view bytes);

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_SENTENCEPIECE_MODEL_H_

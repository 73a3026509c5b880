#include "engine/text/sentencepiece_model.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "engine/text/wire_format.h"

namespace tserve::engine::spm {
namespace {

using wire::Field;
using wire::MessageReader;

// Runs `on_field` for every field of `message`; errors get `context` in front.
template <typename OnField>
absl::Status ForEachField(std::string_view message, std::string_view context, OnField on_field) {
  MessageReader reader(message);
  while (!reader.done()) {
    absl::StatusOr<Field> field = reader.Next();
    absl::Status s = field.ok() ? on_field(*field) : field.status();
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrFormat("%s: %s", context, s.message()));
  }
  return absl::OkStatus();
}

// Assigns a decoded field value, or returns its error.
#define TSERVE_ASSIGN_FIELD(target, expr)         \
  do {                                            \
    auto value_or = (expr);                       \
    if (!value_or.ok()) return value_or.status(); \
    target = *value_or;                           \
  } while (0)

absl::Status ParsePiece(std::string_view bytes, std::string_view context, Piece& piece) {
  return ForEachField(bytes, context, [&](const Field& f) -> absl::Status {
    switch (f.number) {
      case 1:
        TSERVE_ASSIGN_FIELD(piece.piece, wire::AsBytes(f, "piece"));
        break;
      case 2:
        TSERVE_ASSIGN_FIELD(piece.score, wire::AsFloat(f, "score"));
        break;
      case 3: {
        int32_t type = 0;
        TSERVE_ASSIGN_FIELD(type, wire::AsInt32(f, "type"));
        if (type < static_cast<int32_t>(PieceType::kNormal) ||
            type > static_cast<int32_t>(PieceType::kByte)) {
          return absl::InvalidArgumentError(absl::StrFormat("unknown piece type %d", type));
        }
        piece.type = static_cast<PieceType>(type);
        break;
      }
      default:
        break;  // unknown fields are skipped, as protobuf does
    }
    return absl::OkStatus();
  });
}

absl::Status ParseTrainerSpec(std::string_view bytes, TrainerSpec& spec) {
  return ForEachField(bytes, "in trainer_spec", [&](const Field& f) -> absl::Status {
    switch (f.number) {
      case 3: {
        int32_t type = 0;
        TSERVE_ASSIGN_FIELD(type, wire::AsInt32(f, "model_type"));
        if (type < static_cast<int32_t>(ModelType::kUnigram) ||
            type > static_cast<int32_t>(ModelType::kChar)) {
          return absl::InvalidArgumentError(absl::StrFormat("unknown model type %d", type));
        }
        spec.model_type = static_cast<ModelType>(type);
        break;
      }
      case 24:
        TSERVE_ASSIGN_FIELD(spec.treat_whitespace_as_suffix,
                            wire::AsBool(f, "treat_whitespace_as_suffix"));
        break;
      case 35:
        TSERVE_ASSIGN_FIELD(spec.byte_fallback, wire::AsBool(f, "byte_fallback"));
        break;
      case 40:
        TSERVE_ASSIGN_FIELD(spec.unk_id, wire::AsInt32(f, "unk_id"));
        break;
      case 41:
        TSERVE_ASSIGN_FIELD(spec.bos_id, wire::AsInt32(f, "bos_id"));
        break;
      case 42:
        TSERVE_ASSIGN_FIELD(spec.eos_id, wire::AsInt32(f, "eos_id"));
        break;
      case 43:
        TSERVE_ASSIGN_FIELD(spec.pad_id, wire::AsInt32(f, "pad_id"));
        break;
      case 44:
        TSERVE_ASSIGN_FIELD(spec.unk_surface, wire::AsBytes(f, "unk_surface"));
        break;
      default:
        break;
    }
    return absl::OkStatus();
  });
}

absl::Status ParseNormalizerSpec(std::string_view bytes, std::string_view context,
                                 NormalizerSpec& spec) {
  return ForEachField(bytes, context, [&](const Field& f) -> absl::Status {
    switch (f.number) {
      case 1:
        TSERVE_ASSIGN_FIELD(spec.name, wire::AsBytes(f, "name"));
        break;
      case 2:
        TSERVE_ASSIGN_FIELD(spec.precompiled_charsmap, wire::AsBytes(f, "precompiled_charsmap"));
        break;
      case 3:
        TSERVE_ASSIGN_FIELD(spec.add_dummy_prefix, wire::AsBool(f, "add_dummy_prefix"));
        break;
      case 4:
        TSERVE_ASSIGN_FIELD(spec.remove_extra_whitespaces,
                            wire::AsBool(f, "remove_extra_whitespaces"));
        break;
      case 5:
        TSERVE_ASSIGN_FIELD(spec.escape_whitespaces, wire::AsBool(f, "escape_whitespaces"));
        break;
      default:
        break;
    }
    return absl::OkStatus();
  });
}

#undef TSERVE_ASSIGN_FIELD

}  // namespace

std::string_view ModelTypeName(ModelType type) {
  switch (type) {
    case ModelType::kUnigram:
      return "UNIGRAM";
    case ModelType::kBpe:
      return "BPE";
    case ModelType::kWord:
      return "WORD";
    case ModelType::kChar:
      return "CHAR";
  }
  return "UNKNOWN";
}

absl::StatusOr<ModelProto> ParseModelProto(std::string_view bytes) {
  ModelProto model;
  // A message field that occurs twice is merged into one, as protobuf does.
  absl::Status s = ForEachField(bytes, "ModelProto", [&](const Field& f) -> absl::Status {
    switch (f.number) {
      case 1: {
        absl::StatusOr<std::string_view> b = wire::AsBytes(f, "pieces");
        if (!b.ok()) return b.status();
        Piece piece;
        const std::string context =
            absl::StrFormat("in piece %d (at byte %d)", model.pieces.size(), f.offset);
        if (absl::Status ps = ParsePiece(*b, context, piece); !ps.ok()) return ps;
        model.pieces.push_back(std::move(piece));
        return absl::OkStatus();
      }
      case 2: {
        absl::StatusOr<std::string_view> b = wire::AsBytes(f, "trainer_spec");
        if (!b.ok()) return b.status();
        return ParseTrainerSpec(*b, model.trainer_spec);
      }
      case 3: {
        absl::StatusOr<std::string_view> b = wire::AsBytes(f, "normalizer_spec");
        if (!b.ok()) return b.status();
        return ParseNormalizerSpec(*b, "in normalizer_spec", model.normalizer_spec);
      }
      case 5: {
        absl::StatusOr<std::string_view> b = wire::AsBytes(f, "denormalizer_spec");
        if (!b.ok()) return b.status();
        if (!model.denormalizer_spec) model.denormalizer_spec.emplace();
        return ParseNormalizerSpec(*b, "in denormalizer_spec", *model.denormalizer_spec);
      }
      default:
        return absl::OkStatus();
    }
  });
  if (!s.ok()) return s;
  return model;
}

}  // namespace tserve::engine::spm

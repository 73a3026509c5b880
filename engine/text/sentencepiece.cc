#include "engine/text/sentencepiece.h"

#include <array>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/config.h"
#include "engine/text/utf8.h"

namespace tserve::engine::spm {
namespace {

bool IsSegmenting(PieceType type) {
  return type == PieceType::kNormal || type == PieceType::kUserDefined ||
         type == PieceType::kUnused;
}

// Byte pieces are spelled "<0x41>", upper-case hex, as SentencePiece writes them.
std::string ByteToPiece(uint8_t byte) { return absl::StrFormat("<0x%02X>", byte); }

int PieceToByte(std::string_view piece) {
  constexpr std::string_view kDigits = "0123456789ABCDEF";
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  const size_t hi = kDigits.find(piece[3]);
  const size_t lo = kDigits.find(piece[4]);
  if (hi == std::string_view::npos || lo == std::string_view::npos) return -1;
  return static_cast<int>(hi * 16 + lo);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Processor>> Processor::Load(const std::string& path) {
  absl::StatusOr<std::string> bytes = internal::ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::unique_ptr<Processor>> processor = FromBytes(*bytes);
  if (!processor.ok()) {
    return absl::Status(processor.status().code(), absl::StrCat("SentencePiece model ", path, ": ",
                                                                processor.status().message()));
  }
  return processor;
}

absl::StatusOr<std::unique_ptr<Processor>> Processor::FromBytes(std::string_view bytes) {
  absl::StatusOr<ModelProto> model = ParseModelProto(bytes);
  if (!model.ok()) return model.status();
  auto processor = std::unique_ptr<Processor>(new Processor(*std::move(model)));
  if (absl::Status s = processor->Init(); !s.ok()) return s;
  return processor;
}

absl::Status Processor::Init() {
  const TrainerSpec& trainer = model_.trainer_spec;
  if (trainer.model_type != ModelType::kUnigram && trainer.model_type != ModelType::kBpe) {
    return absl::UnimplementedError(
        absl::StrFormat("model type %s is not supported; only UNIGRAM and BPE models are",
                        ModelTypeName(trainer.model_type)));
  }
  std::unordered_map<std::string_view, int32_t> segmenting;
  std::unordered_map<std::string_view, int32_t> reserved;
  std::vector<std::pair<std::string_view, int32_t>> user_defined;
  std::array<bool, 256> byte_found{};
  for (size_t i = 0; i < model_.pieces.size(); ++i) {
    const Piece& p = model_.pieces[i];
    const auto id = static_cast<int32_t>(i);
    if (p.piece.empty()) return absl::InvalidArgumentError(absl::StrFormat("piece %d is empty", i));
    const bool inserted = IsSegmenting(p.type) ? segmenting.emplace(p.piece, id).second
                                               : reserved.emplace(p.piece, id).second;
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrFormat("piece %d '%s' is defined twice", i, p.piece));
    }
    if (p.type == PieceType::kUserDefined) user_defined.emplace_back(p.piece, id);
    if (p.type == PieceType::kUnknown) {
      if (unk_id_ >= 0) {
        return absl::InvalidArgumentError(
            absl::StrFormat("pieces %d and %d are both UNKNOWN", unk_id_, i));
      }
      unk_id_ = id;
    }
    if (p.type == PieceType::kByte) {
      if (!trainer.byte_fallback) {
        return absl::InvalidArgumentError(
            absl::StrFormat("byte piece '%s' in a model without byte_fallback", p.piece));
      }
      const int byte = PieceToByte(p.piece);
      if (byte < 0) {
        return absl::InvalidArgumentError(absl::StrFormat("invalid byte piece '%s'", p.piece));
      }
      byte_found[static_cast<size_t>(byte)] = true;
    }
  }
  if (unk_id_ < 0) return absl::InvalidArgumentError("the model has no UNKNOWN piece");
  if (trainer.byte_fallback) {
    for (size_t b = 0; b < byte_found.size(); ++b) {
      if (!byte_found[b]) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "byte_fallback is set but there is no byte piece '%s'", ByteToPiece(b)));
      }
    }
  }
  using Keys = std::vector<std::pair<std::string_view, int32_t>>;
  segmenting_pieces_ = PieceTrie(Keys(segmenting.begin(), segmenting.end()));
  reserved_ = PieceTrie(Keys(reserved.begin(), reserved.end()));
  user_defined_ = PieceTrie(user_defined);

  absl::StatusOr<Normalizer> normalizer = Normalizer::Create(
      model_.normalizer_spec, trainer.treat_whitespace_as_suffix, &user_defined_);
  if (!normalizer.ok()) return normalizer.status();
  normalizer_ = *std::move(normalizer);
  // SentencePiece denormalizes decoded text only with denormalization rules.
  if (model_.denormalizer_spec && !model_.denormalizer_spec->precompiled_charsmap.empty()) {
    absl::StatusOr<Normalizer> denormalizer =
        Normalizer::Create(*model_.denormalizer_spec, /*treat_whitespace_as_suffix=*/false,
                           /*user_defined=*/nullptr);
    if (!denormalizer.ok()) return denormalizer.status();
    denormalizer_ = *std::move(denormalizer);
  }
  if (trainer.model_type == ModelType::kBpe) {
    bpe_.emplace(model_, segmenting_pieces_, reserved_, user_defined_, unk_id_);
  } else {
    unigram_.emplace(model_, segmenting_pieces_, unk_id_);
  }
  return absl::OkStatus();
}

int32_t Processor::PieceToId(std::string_view piece) const {
  if (const int32_t id = reserved_.Find(piece); id >= 0) return id;
  const int32_t id = segmenting_pieces_.Find(piece);
  return id >= 0 ? id : unk_id_;
}

std::vector<std::string> Processor::Encode(std::string_view text) const {
  const std::string normalized = normalizer_->Normalize(text);
  const std::vector<std::pair<std::string_view, int32_t>> segments =
      bpe_ ? bpe_->Encode(normalized) : unigram_->Encode(normalized);
  std::vector<std::string> pieces;
  bool previous_unknown = false;
  for (const auto& [piece, id] : segments) {
    if (TypeOf(id) == PieceType::kControl) return {};
    const bool unknown = TypeOf(id) == PieceType::kUnknown;
    if (unknown && model_.trainer_spec.byte_fallback) {
      for (char c : piece) pieces.push_back(ByteToPiece(static_cast<uint8_t>(c)));
    } else if (unknown && previous_unknown) {
      pieces.back() += piece;  // a run of unknown characters is one piece
    } else {
      pieces.emplace_back(piece);
    }
    previous_unknown = unknown;
  }
  return pieces;
}

std::string Processor::DecodePiece(std::string_view piece, int32_t id, bool at_start) const {
  switch (TypeOf(id)) {
    case PieceType::kControl:
      return "";
    case PieceType::kUnknown:
      // "<unk>" itself shows as unk_surface; a piece the model lacks, as it is.
      if (model_.pieces[static_cast<size_t>(id)].piece == piece) {
        return model_.trainer_spec.unk_surface;
      }
      return std::string(piece);
    default:
      break;
  }
  // The space the normalizer added (or kept) in front of the text is removed again.
  const NormalizerSpec& spec = model_.normalizer_spec;
  if (at_start && (spec.add_dummy_prefix || spec.remove_extra_whitespaces) &&
      piece.starts_with(kSpaceSymbol)) {
    piece.remove_prefix(kSpaceSymbol.size());
  }
  std::string text;
  for (size_t at; (at = piece.find(kSpaceSymbol)) != std::string_view::npos;) {
    text.append(piece.substr(0, at)).push_back(' ');
    piece.remove_prefix(at + kSpaceSymbol.size());
  }
  return text.append(piece);
}

std::string Processor::Decode(const std::vector<std::string>& pieces) const {
  std::string text;
  // Byte pieces are collected and turned into characters when the run ends; a byte
  // that does not complete a valid character becomes U+FFFD.
  std::string bytes;
  const auto flush_bytes = [&] {
    for (std::string_view rest = bytes; !rest.empty();) {
      const size_t length = ValidCharLength(rest);
      if (length == 0) {
        text += kReplacementCharacter;
        rest.remove_prefix(1);
      } else {
        text += rest.substr(0, length);
        rest.remove_prefix(length);
      }
    }
    bytes.clear();
  };
  for (const std::string& piece : pieces) {
    const int32_t id = PieceToId(piece);
    if (TypeOf(id) == PieceType::kByte) {
      bytes += static_cast<char>(PieceToByte(piece));
      continue;
    }
    flush_bytes();
    text += DecodePiece(piece, id, text.empty());
  }
  flush_bytes();
  if (denormalizer_) text = denormalizer_->Normalize(text);
  return text;
}

}  // namespace tserve::engine::spm

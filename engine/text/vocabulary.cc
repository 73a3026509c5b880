#include "engine/text/vocabulary.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "engine/model/config.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {

absl::StatusOr<Vocabulary> Vocabulary::Load(const std::string& path) {
  absl::StatusOr<std::string> text = internal::ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Vocabulary> vocab = FromJson(*text);
  if (!vocab.ok()) {
    return absl::Status(vocab.status().code(),
                        absl::StrFormat("%s: %s", path, vocab.status().message()));
  }
  return vocab;
}

absl::StatusOr<Vocabulary> Vocabulary::FromJson(std::string_view json) {
  using Json = nlohmann::json;
  const Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return absl::InvalidArgumentError(internal::DescribeJsonSyntaxError(json));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "vocabulary must be a JSON object (piece -> id), got %s", root.type_name()));
  }
  if (root.empty()) return absl::InvalidArgumentError("vocabulary is empty");
  if (root.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError("vocabulary has more than 2^31 - 1 pieces");
  }
  // n pieces with distinct ids all below n is exactly the dense range 0..n-1; checking
  // it this way never allocates more than the file's own size.
  const size_t n = root.size();
  Vocabulary vocab;
  vocab.pieces_.resize(n);
  std::vector<bool> seen(n, false);
  vocab.ids_.reserve(n);
  for (const auto& [piece, value] : root.items()) {
    if (!value.is_number_unsigned()) {
      // Name the type rather than dump() the value: dumping recurses into nested arrays.
      const std::string got = value.is_number_integer()
                                  ? absl::StrFormat("%d", value.get<int64_t>())
                                  : std::string(value.type_name());
      return absl::InvalidArgumentError(
          absl::StrFormat("id of piece '%s' must be a non-negative integer, got %s",
                          absl::Utf8SafeCEscape(piece), got));
    }
    const uint64_t id = value.get<uint64_t>();
    if (id >= n) {
      return absl::InvalidArgumentError(
          absl::StrFormat("id %d of piece '%s' is out of range: the %d pieces must use ids 0..%d",
                          id, absl::Utf8SafeCEscape(piece), n, n - 1));
    }
    if (seen[id]) {
      return absl::InvalidArgumentError(absl::StrFormat("id %d is used by both '%s' and '%s'", id,
                                                        absl::Utf8SafeCEscape(vocab.pieces_[id]),
                                                        absl::Utf8SafeCEscape(piece)));
    }
    seen[id] = true;
    vocab.pieces_[id] = piece;
    vocab.ids_.emplace(piece, static_cast<int32_t>(id));
  }
  return vocab;
}

absl::StatusOr<Vocabulary> Vocabulary::FromPieces(std::vector<std::string> pieces) {
  if (pieces.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError("vocabulary has more than 2^31 - 1 pieces");
  }
  Vocabulary vocab;
  vocab.ids_.reserve(pieces.size());
  for (size_t id = 0; id < pieces.size(); ++id) {
    if (auto [it, inserted] = vocab.ids_.emplace(pieces[id], static_cast<int32_t>(id)); !inserted) {
      return absl::InvalidArgumentError(absl::StrFormat("ids %d and %d are both '%s'", it->second,
                                                        id, absl::Utf8SafeCEscape(pieces[id])));
    }
  }
  vocab.pieces_ = std::move(pieces);
  return vocab;
}

std::optional<int32_t> Vocabulary::Find(std::string_view piece) const {
  auto it = ids_.find(piece);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

absl::Status CheckModelVocabulary(const Vocabulary& vocab, const std::string& path,
                                  int64_t embedding_rows, std::string_view rows_name,
                                  int64_t eos_token_id) {
  if (vocab.size() > embedding_rows) {
    return absl::InvalidArgumentError(absl::StrFormat("%s has %d pieces but the model's %s is %d",
                                                      path, vocab.size(), rows_name,
                                                      embedding_rows));
  }
  for (std::string_view piece : {"<pad>", "</s>", "<unk>"}) {
    if (!vocab.Find(piece)) {
      return absl::InvalidArgumentError(absl::StrFormat("%s has no '%s' piece", path, piece));
    }
  }
  // The tokenizer appends and strips </s> by its piece while the decoder stops on
  // config.eos_token_id; they must be the same token.
  if (int32_t eos = *vocab.Find("</s>"); eos != eos_token_id) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s maps '</s>' to %d but config.json has eos_token_id %d", path, eos, eos_token_id));
  }
  return absl::OkStatus();
}

}  // namespace tserve::engine

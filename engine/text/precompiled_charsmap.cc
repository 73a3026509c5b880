#include "engine/text/precompiled_charsmap.h"

#include <bit>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace tserve::engine::spm {
namespace {

// Darts-clone's unit layout (darts.h, DoubleArrayUnit).
bool HasLeaf(uint32_t unit) { return ((unit >> 8) & 1) != 0; }
uint32_t Value(uint32_t unit) { return unit & 0x7fffffffu; }
uint32_t Label(uint32_t unit) { return unit & 0x800000ffu; }
uint32_t Offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

}  // namespace

absl::StatusOr<PrecompiledCharsmap> PrecompiledCharsmap::Parse(std::string_view blob) {
  static_assert(std::endian::native == std::endian::little);
  uint32_t trie_size = 0;
  if (blob.size() <= sizeof(trie_size)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("precompiled_charsmap has %d bytes, too few for a trie", blob.size()));
  }
  std::memcpy(&trie_size, blob.data(), sizeof(trie_size));
  blob.remove_prefix(sizeof(trie_size));
  if (trie_size > blob.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "precompiled_charsmap declares a %d-byte trie but has only %d bytes after the size",
        trie_size, blob.size()));
  }
  PrecompiledCharsmap map;
  // As SentencePiece does, a size that is not a multiple of 4 drops the last bytes.
  map.units_.resize(trie_size / sizeof(uint32_t));
  std::memcpy(map.units_.data(), blob.data(), map.units_.size() * sizeof(uint32_t));
  map.replacements_ = std::string(blob.substr(trie_size));
  return map;
}

std::optional<PrecompiledCharsmap::Match> PrecompiledCharsmap::LongestMatch(
    std::string_view text) const {
  if (units_.empty()) return std::nullopt;
  std::optional<Match> longest;
  size_t node = Offset(units_[0]);
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    node ^= c;
    if (node >= units_.size()) break;
    const uint32_t unit = units_[node];
    if (Label(unit) != c) break;
    node ^= Offset(unit);
    if (!HasLeaf(unit)) continue;
    if (node >= units_.size()) break;
    const size_t value = Value(units_[node]);
    if (value >= replacements_.size()) break;  // points outside the strings: damaged
    // Each replacement ends at its NUL; a damaged last one ends at std::string's own.
    longest = Match{i + 1, std::string_view(replacements_.data() + value)};
  }
  return longest;
}

}  // namespace tserve::engine::spm

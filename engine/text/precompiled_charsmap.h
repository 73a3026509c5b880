// SentencePiece's precompiled normalization rules (NormalizerSpec.precompiled_charsmap):
// a little-endian uint32 with the byte size of a Darts-clone double-array trie, the
// trie's 32-bit units, then the NUL-terminated replacement strings the trie's values
// point into. The trie maps a byte sequence (e.g. "ﬁ") to its replacement ("fi").
#ifndef TSERVE_ENGINE_TEXT_PRECOMPILED_CHARSMAP_H_
#define TSERVE_ENGINE_TEXT_PRECOMPILED_CHARSMAP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tserve::engine::spm {

class PrecompiledCharsmap {
 public:
  struct Match {
    size_t length;  // bytes of the input the rule replaces
    std::string_view replacement;
  };

  // Copies what it needs from `blob`.
  static absl::StatusOr<PrecompiledCharsmap> Parse(std::string_view blob);

  // The rule for the longest prefix of `text` that has one, as Darts'
  // commonPrefixSearch finds it. Every array access is bounds-checked: a damaged
  // trie ends the search instead of reading outside the blob.
  std::optional<Match> LongestMatch(std::string_view text) const;

 private:
  std::vector<uint32_t> units_;
  std::string replacements_;
};

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_PRECOMPILED_CHARSMAP_H_

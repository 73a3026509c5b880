// SentencePiece's text normalizer: the precompiled rules (e.g. NFKC), then its
// whitespace handling (leading, trailing and repeated spaces removed, a dummy "▁"
// prefix, spaces escaped as "▁"). Produces the string the unigram model segments.
#ifndef TSERVE_ENGINE_TEXT_NORMALIZER_H_
#define TSERVE_ENGINE_TEXT_NORMALIZER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "engine/text/piece_trie.h"
#include "engine/text/precompiled_charsmap.h"
#include "engine/text/sentencepiece_model.h"

namespace tserve::engine::spm {

// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
inline constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";

class Normalizer {
 public:
  // `user_defined` (may be null or empty) holds the model's user-defined pieces,
  // which pass through unnormalized; it must outlive the normalizer.
  static absl::StatusOr<Normalizer> Create(const NormalizerSpec& spec,
                                           bool treat_whitespace_as_suffix,
                                           const PieceTrie* user_defined);

  std::string Normalize(std::string_view input) const;

 private:
  Normalizer(const NormalizerSpec& spec, bool treat_whitespace_as_suffix,
             const PieceTrie* user_defined)
      : add_dummy_prefix_(spec.add_dummy_prefix),
        remove_extra_whitespaces_(spec.remove_extra_whitespaces),
        escape_whitespaces_(spec.escape_whitespaces),
        treat_whitespace_as_suffix_(treat_whitespace_as_suffix),
        user_defined_(user_defined) {}

  // The normalized form of the first unit of `input` and the bytes it consumes.
  std::pair<std::string_view, size_t> NormalizePrefix(std::string_view input) const;

  bool add_dummy_prefix_;
  bool remove_extra_whitespaces_;
  bool escape_whitespaces_;
  bool treat_whitespace_as_suffix_;
  const PieceTrie* user_defined_;
  std::optional<PrecompiledCharsmap> charsmap_;  // absent: no rules, text kept as is
};

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_NORMALIZER_H_

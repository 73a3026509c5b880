// UTF-8 decoding with SentencePiece's rules, which the normalizer and the unigram
// model must follow byte for byte to segment text as SentencePiece does.
#ifndef TSERVE_ENGINE_TEXT_UTF8_H_
#define TSERVE_ENGINE_TEXT_UTF8_H_

#include <cstddef>
#include <string_view>

namespace tserve::engine::spm {

// U+FFFD, what a malformed byte becomes.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The length of the character starting at `text[0]` when it is well-formed UTF-8
// (shortest form, no surrogates, at most U+10FFFF), else 0. Precondition: !text.empty().
size_t ValidCharLength(std::string_view text);

// The length the lead byte announces (1 for a stray continuation byte), without
// checking what follows: SentencePiece's OneCharLen.
inline size_t LeadByteLength(char lead) {
  static constexpr unsigned char kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[static_cast<unsigned char>(lead) >> 4];
}

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_UTF8_H_

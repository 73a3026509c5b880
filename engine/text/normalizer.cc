#include "engine/text/normalizer.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/text/utf8.h"

namespace tserve::engine::spm {

absl::StatusOr<Normalizer> Normalizer::Create(const NormalizerSpec& spec,
                                              bool treat_whitespace_as_suffix,
                                              const PieceTrie* user_defined) {
  Normalizer normalizer(spec, treat_whitespace_as_suffix, user_defined);
  if (!spec.precompiled_charsmap.empty()) {
    absl::StatusOr<PrecompiledCharsmap> map = PrecompiledCharsmap::Parse(spec.precompiled_charsmap);
    if (!map.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("normalizer '", spec.name, "': ", map.status().message()));
    }
    normalizer.charsmap_ = *std::move(map);
  }
  return normalizer;
}

std::pair<std::string_view, size_t> Normalizer::NormalizePrefix(std::string_view input) const {
  // A user-defined piece is kept as written (the longest one that matches).
  if (user_defined_ != nullptr) {
    size_t longest = 0;
    user_defined_->ForEachPrefix(input, [&](size_t length, int32_t) { longest = length; });
    if (longest > 0) return {input.substr(0, longest), longest};
  }
  if (charsmap_) {
    if (auto match = charsmap_->LongestMatch(input)) return {match->replacement, match->length};
  }
  // No rule: one character as it is; a malformed byte becomes U+FFFD.
  if (const size_t length = ValidCharLength(input); length > 0) {
    return {input.substr(0, length), length};
  }
  return {kReplacementCharacter, 1};
}

// Mirrors SentencePiece's Normalizer::Normalize step by step, including its corner
// cases (a rule producing several spaces, a literal "▁" in the input at the end).
std::string Normalizer::Normalize(std::string_view input) const {
  std::string normalized;
  if (remove_extra_whitespaces_) {
    while (!input.empty()) {
      const auto [text, consumed] = NormalizePrefix(input);
      if (text != " ") break;
      input.remove_prefix(consumed);
    }
  }
  if (input.empty()) return normalized;
  normalized.reserve(input.size() * 3);

  const std::string_view space = escape_whitespaces_ ? kSpaceSymbol : " ";
  if (!treat_whitespace_as_suffix_ && add_dummy_prefix_) normalized += space;

  bool is_prev_space = remove_extra_whitespaces_;
  while (!input.empty()) {
    auto [text, consumed] = NormalizePrefix(input);
    if (is_prev_space) {
      while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    }
    if (!text.empty()) {
      for (char c : text) {
        if (escape_whitespaces_ && c == ' ') {
          normalized += kSpaceSymbol;
        } else {
          normalized += c;
        }
      }
      is_prev_space = text.back() == ' ';
    }
    input.remove_prefix(consumed);
    if (!remove_extra_whitespaces_) is_prev_space = false;
  }

  if (remove_extra_whitespaces_) {
    while (std::string_view(normalized).ends_with(space)) {
      normalized.resize(normalized.size() - space.size());
    }
  }
  if (treat_whitespace_as_suffix_ && add_dummy_prefix_) normalized += space;
  return normalized;
}

}  // namespace tserve::engine::spm

#include "engine/text/hf_decode.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/text/normalizer.h"

namespace tserve::engine {
namespace {

// Python's str.isspace() code points.
bool IsPythonSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// The code point of the well-formed character of `length` bytes at `at`.
char32_t CodePoint(std::string_view text, size_t at, size_t length) {
  static constexpr unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t c = static_cast<unsigned char>(text[at]) & kLeadMask[length];
  for (size_t i = 1; i < length; ++i)
    c = (c << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
  return c;
}

// Length of the (well-formed) character that ends at `end`, 0 if none does.
size_t LengthEndingAt(std::string_view text, size_t end) {
  size_t start = end;
  while (start > 0 && end - start < 4) {
    --start;
    if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80) return end - start;
  }
  return 0;
}

size_t LeadingLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

}  // namespace

std::string_view LstripPythonWhitespace(std::string_view text) {
  while (!text.empty()) {
    const size_t length = LeadingLength(static_cast<unsigned char>(text[0]));
    if (length == 0 || length > text.size() || !IsPythonSpace(CodePoint(text, 0, length))) break;
    text.remove_prefix(length);
  }
  return text;
}

std::string_view RstripPythonWhitespace(std::string_view text) {
  while (!text.empty()) {
    const size_t length = LengthEndingAt(text, text.size());
    if (length == 0 ||
        LeadingLength(static_cast<unsigned char>(text[text.size() - length])) != length ||
        !IsPythonSpace(CodePoint(text, text.size() - length, length))) {
      break;
    }
    text.remove_suffix(length);
  }
  return text;
}

std::string JoinPiecesNllb(const std::vector<std::string>& pieces) {
  std::string joined;
  for (const std::string& piece : pieces) joined += piece;
  return StripPythonWhitespace(ReplaceAll(joined, spm::kSpaceSymbol, " "));
}

std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  for (size_t at; (at = text.find(from)) != std::string_view::npos;) {
    out.append(text.substr(0, at)).append(to);
    text.remove_prefix(at + from.size());
  }
  return out.append(text);
}

std::string StripPythonWhitespace(std::string_view text) {
  return std::string(RstripPythonWhitespace(LstripPythonWhitespace(text)));
}

std::string CleanUpTokenizationSpaces(std::string text) {
  constexpr std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) text = ReplaceAll(text, from, to);
  return text;
}

}  // namespace tserve::engine

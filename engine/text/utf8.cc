#include "engine/text/utf8.h"

#include <cstdint>

namespace tserve::engine::spm {
namespace {

bool IsTrailByte(unsigned char c) { return (c & 0xC0) == 0x80; }

bool IsValidCodepoint(uint32_t c) { return c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF); }

}  // namespace

size_t ValidCharLength(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const size_t n = text.size();
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (n >= 2 && (lead & 0xE0) == 0xC0) {
    const uint32_t cp = ((lead & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
    if (IsTrailByte(byte(1)) && cp >= 0x80 && IsValidCodepoint(cp)) return 2;
  } else if (n >= 3 && (lead & 0xF0) == 0xE0) {
    const uint32_t cp = ((lead & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
    if (IsTrailByte(byte(1)) && IsTrailByte(byte(2)) && cp >= 0x800 && IsValidCodepoint(cp)) {
      return 3;
    }
  } else if (n >= 4 && (lead & 0xF8) == 0xF0) {
    const uint32_t cp = ((lead & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) |
                        ((byte(2) & 0x3Fu) << 6) | (byte(3) & 0x3Fu);
    if (IsTrailByte(byte(1)) && IsTrailByte(byte(2)) && IsTrailByte(byte(3)) && cp >= 0x10000 &&
        IsValidCodepoint(cp)) {
      return 4;
    }
  }
  return 0;
}

}  // namespace tserve::engine::spm

// libFuzzer target for tserve's SentencePiece runtime: the .spm reader (protobuf wire
// format, model checks, precompiled normalization rules) and, for a model it accepts,
// encoding and decoding. Whatever the bytes, the result is a model or an error status,
// and text always encodes to non-empty pieces.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/text/sentencepiece.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Input: a one-byte text length, the text, then the model file.
  if (size < 1) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t text_length = std::min<size_t>(data[0], bytes.size());
  const std::string_view text = bytes.substr(0, text_length);
  auto processor = tserve::engine::spm::Processor::FromBytes(bytes.substr(text_length));
  if (!processor.ok()) return 0;
  const std::vector<std::string> pieces = (*processor)->Encode(text);
  for (const std::string& piece : pieces) {
    if (piece.empty()) __builtin_trap();
  }
  (*processor)->Decode(pieces);
  // Decoding arbitrary pieces (what vocab.json may hold) must work too.
  std::vector<std::string> arbitrary;
  for (int32_t id = 0; id < (*processor)->size() && id < 64; ++id) {
    arbitrary.push_back((*processor)->model().pieces[static_cast<size_t>(id)].piece);
  }
  arbitrary.emplace_back(text);
  (*processor)->Decode(arbitrary);
  return 0;
}

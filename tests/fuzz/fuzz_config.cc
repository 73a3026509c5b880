// libFuzzer target for the JSON readers of a model directory: config.json,
// generation_config.json and vocab.json. Whatever the bytes, the result is a config or
// an error status.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/model/config.h"
#include "engine/text/vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // A NUL byte splits the input into config.json and generation_config.json, so one
  // input can reach the override path.
  const size_t split = bytes.find('\0');
  const std::string_view config = bytes.substr(0, split);
  const std::string_view generation =
      split == std::string_view::npos ? std::string_view() : bytes.substr(split + 1);
  auto parsed = tserve::engine::ParseModelConfig(config, generation);
  if (parsed.ok()) {
    // What validation promises to the rest of the engine.
    if (parsed->d_model % parsed->encoder_attention_heads != 0 ||
        parsed->d_model % parsed->decoder_attention_heads != 0 ||
        parsed->eos_token_id >= parsed->target_vocab_size() ||
        parsed->pad_token_id >= parsed->vocab_size || parsed->num_beams < 1 ||
        parsed->max_length < 1) {
      __builtin_trap();
    }
  }
  auto vocab = tserve::engine::Vocabulary::FromJson(config);
  if (vocab.ok()) {
    for (int32_t id = 0; id < vocab->size(); ++id) {
      if (vocab->Find(vocab->Piece(id)) != id) __builtin_trap();
    }
  }
  return 0;
}

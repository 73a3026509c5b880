#pragma once

// What a model directory holds and whether tserve can serve it: the report that
// `tserve-server --check_model=DIR` prints, the first thing to run when a
// downloaded model does not load.

#include <string>

#include "engine/engine.h"

namespace tserve::engine {

struct ModelCheck {
  bool ok = false;     // the model loads and translates
  std::string report;  // one fact per line, for people
};

// The languages of a translation made only to show that a model runs (the check below,
// the server's warm-up): none for a MarianMT model with one target language, its first
// target language for one with several; NLLB-200, M2M100, mBART-50: English as the
// source where the model has it (eng_Latn, en, en_XX), else the first code, and the first
// other code as the target.
struct SmokeLanguages {
  std::string source;
  std::string target;
};
SmokeLanguages SmokeLanguagesOf(const Tokenizer& tokenizer);

// Reads the configuration, the weights (whatever their layout), the tokenizer
// files and the generation settings, loads the model with `options`, and
// translates one sentence. Stops at the first step that fails; the report then
// ends with that step's error.
ModelCheck CheckModelDirectory(const std::string& model_dir, const LoadOptions& options);

}  // namespace tserve::engine

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

// Reads the configuration, the weights (whatever their layout), the tokenizer
// files and the generation settings, loads the model with `options`, and
// translates one sentence. Stops at the first step that fails; the report then
// ends with that step's error.
ModelCheck CheckModelDirectory(const std::string& model_dir, const LoadOptions& options);

}  // namespace tserve::engine

// config.json of the T5 family (T5Config / MT5Config field names: d_kv, d_ff,
// num_layers, num_heads, feed_forward_proj, ...) read into a ModelConfig.
#ifndef TSERVE_ENGINE_MODEL_CONFIG_T5_H_
#define TSERVE_ENGINE_MODEL_CONFIG_T5_H_

#include "absl/status/status.h"
#include "engine/model/config.h"
#include "engine/model/json_fields.h"

namespace tserve::engine {

// Reads the fields of a T5 or mT5 config.json over the family's defaults, already in
// `config`.
absl::Status ReadT5ConfigFields(const json_fields::Json& obj, ModelConfig& config);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_MODEL_CONFIG_T5_H_

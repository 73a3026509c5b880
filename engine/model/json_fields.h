// Typed reads of JSON object fields with errors that name the field, shared by the
// readers of a model directory's JSON files (config.json, generation_config.json).
#ifndef TSERVE_ENGINE_MODEL_JSON_FIELDS_H_
#define TSERVE_ENGINE_MODEL_JSON_FIELDS_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace tserve::engine::json_fields {

using Json = nlohmann::json;

// Sizes and ids index int32 token ids and int64 tensor shapes downstream; anything
// beyond int32 is a corrupt file, and capping here keeps later products from overflowing.
inline constexpr int64_t kMaxSize = std::numeric_limits<int32_t>::max();

std::string_view JsonTypeName(const Json& j);

absl::Status TypeError(std::string_view key, std::string_view expected, const Json& got);

// Reads obj[key] into `out` when present. With `null_is_absent`, a JSON null leaves the
// default in place, as transformers does for fields whose default is None.
absl::Status ReadInt(const Json& obj, std::string_view key, int64_t& out,
                     bool null_is_absent = false);
absl::Status ReadBool(const Json& obj, std::string_view key, bool& out);
absl::Status ReadFloat(const Json& obj, std::string_view key, float& out,
                       bool null_is_absent = false);
absl::Status ReadString(const Json& obj, std::string_view key, std::string& out);

// `text` parsed; INVALID_ARGUMENT unless it is a JSON object.
absl::StatusOr<Json> ParseObject(std::string_view text);

// An id field that transformers also accepts as a list (eos_token_id, forced_eos_token_id):
// tserve stops on one token, so a list must hold exactly one.
absl::Status ReadTokenId(const Json& obj, std::string_view key, std::optional<int64_t>& out);

}  // namespace tserve::engine::json_fields

#endif  // TSERVE_ENGINE_MODEL_JSON_FIELDS_H_

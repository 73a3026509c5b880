#include "engine/model/json_fields.h"

#include <cfloat>
#include <cmath>
#include <string>

#include "absl/strings/str_format.h"
#include "engine/model/config.h"

namespace tserve::engine::json_fields {

std::string_view JsonTypeName(const Json& j) {
  if (j.is_number_integer()) return "integer";
  if (j.is_number_float()) return "float";
  if (j.is_boolean()) return "boolean";
  return j.type_name();
}

absl::Status TypeError(std::string_view key, std::string_view expected, const Json& got) {
  return absl::InvalidArgumentError(
      absl::StrFormat("%s must be %s, got %s", key, expected, JsonTypeName(got)));
}

absl::Status ReadInt(const Json& obj, std::string_view key, int64_t& out, bool null_is_absent) {
  auto it = obj.find(key);
  if (it == obj.end() || (null_is_absent && it->is_null())) return absl::OkStatus();
  if (!it->is_number_integer()) return TypeError(key, "an integer", *it);
  if (it->is_number_unsigned() &&
      it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s is too large: %d", key, it->get<uint64_t>()));
  }
  out = it->get<int64_t>();
  return absl::OkStatus();
}

absl::Status ReadBool(const Json& obj, std::string_view key, bool& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return absl::OkStatus();
  if (!it->is_boolean()) return TypeError(key, "a boolean", *it);
  out = it->get<bool>();
  return absl::OkStatus();
}

absl::Status ReadFloat(const Json& obj, std::string_view key, float& out, bool null_is_absent) {
  auto it = obj.find(key);
  if (it == obj.end() || (null_is_absent && it->is_null())) return absl::OkStatus();
  if (!it->is_number()) return TypeError(key, "a number", *it);
  double v = it->get<double>();
  if (!(std::fabs(v) <= FLT_MAX)) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is out of range: %g", key, v));
  }
  out = static_cast<float>(v);
  return absl::OkStatus();
}

absl::StatusOr<Json> ParseObject(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError(internal::DescribeJsonSyntaxError(text));
  }
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("must be a JSON object, got %s", JsonTypeName(j)));
  }
  return j;
}

absl::Status ReadTokenId(const Json& obj, std::string_view key, std::optional<int64_t>& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  const Json* value = &*it;
  if (it->is_array()) {
    if (it->size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s lists %d tokens; tserve supports exactly one", key, it->size()));
    }
    value = &(*it)[0];
  }
  if (!value->is_number_integer()) return TypeError(key, "an integer", *value);
  out = value->get<int64_t>();
  return absl::OkStatus();
}

absl::Status ReadString(const Json& obj, std::string_view key, std::string& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return absl::OkStatus();
  if (!it->is_string()) return TypeError(key, "a string", *it);
  out = it->get<std::string>();
  return absl::OkStatus();
}

}  // namespace tserve::engine::json_fields

#include "engine/text/hf_tokenizer_files.h"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/config.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

using Json = nlohmann::json;

// The parsed file, or a null value when it does not exist.
absl::StatusOr<Json> ReadJson(const std::string& path, bool optional) {
  absl::StatusOr<std::string> text = internal::ReadFile(path);
  if (!text.ok()) {
    if (optional && absl::IsNotFound(text.status())) return Json();
    return text.status();
  }
  Json root = Json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", internal::DescribeJsonSyntaxError(*text)));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be a JSON object, got ", root.type_name()));
  }
  return root;
}

// A token as these files write it: a string, or an AddedToken object with "content".
std::optional<std::string> TokenContent(const Json& token) {
  if (token.is_string()) return token.get<std::string>();
  if (token.is_object() && token.contains("content") && token["content"].is_string()) {
    return token["content"].get<std::string>();
  }
  return std::nullopt;
}

absl::Status WrongType(const std::string& path, std::string_view field, std::string_view want,
                       const Json& got) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", std::string(field), " must be ",
                                                 std::string(want), ", got ", got.type_name()));
}

// Applies the fields of one file; `path` names it in errors.
absl::Status Merge(const Json& root, const std::string& path, HfTokenizerConfig& config) {
  if (root.is_null()) return absl::OkStatus();
  if (auto it = root.find("tokenizer_class"); it != root.end() && !it->is_null()) {
    if (!it->is_string()) return WrongType(path, "tokenizer_class", "a string", *it);
    config.tokenizer_class = it->get<std::string>();
  }
  if (auto it = root.find("additional_special_tokens"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) return WrongType(path, "additional_special_tokens", "a list", *it);
    std::vector<std::string> tokens;
    for (const Json& token : *it) {
      std::optional<std::string> content = TokenContent(token);
      if (!content) {
        return WrongType(path, "each of additional_special_tokens", "a string or a token object",
                         token);
      }
      tokens.push_back(*std::move(content));
    }
    config.additional_special_tokens = std::move(tokens);
  }
  if (auto it = root.find("legacy_behaviour"); it != root.end() && !it->is_null()) {
    if (!it->is_boolean()) return WrongType(path, "legacy_behaviour", "true or false", *it);
    config.legacy_behaviour = it->get<bool>();
  }
  if (auto it = root.find("clean_up_tokenization_spaces"); it != root.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return WrongType(path, "clean_up_tokenization_spaces", "true or false", *it);
    }
    config.clean_up_tokenization_spaces = it->get<bool>();
  }
  if (auto it = root.find("language_codes"); it != root.end() && !it->is_null()) {
    if (!it->is_string()) return WrongType(path, "language_codes", "a string", *it);
    config.language_codes = it->get<std::string>();
  }
  if (auto it = root.find("added_tokens_decoder"); it != root.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType(path, "added_tokens_decoder", "an object", *it);
    for (const auto& [key, token] : it->items()) {
      int32_t id = 0;
      std::optional<std::string> content = TokenContent(token);
      if (!absl::SimpleAtoi(key, &id) || id < 0 || !content) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: added_tokens_decoder entry '%s' is not an id with a token", path,
                            absl::Utf8SafeCEscape(key)));
      }
      config.added_tokens[id] = *std::move(content);
    }
  }
  return absl::OkStatus();
}

// Adds `piece` -> `id` to `ids`, refusing a piece given two ids.
absl::Status AddId(std::map<std::string, int32_t>& ids, const std::string& piece, const Json& id,
                   const std::string& path) {
  if (!id.is_number_unsigned() || id.get<uint64_t>() > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the id of '%s' must be a non-negative integer", path, absl::Utf8SafeCEscape(piece)));
  }
  const auto value = static_cast<int32_t>(id.get<uint64_t>());
  auto [it, inserted] = ids.emplace(piece, value);
  if (!inserted && it->second != value) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: '%s' has the id %d in model.vocab but %d in added_tokens", path,
                        absl::Utf8SafeCEscape(piece), it->second, value));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HfTokenizerConfig> LoadHfTokenizerConfig(const std::string& model_dir) {
  HfTokenizerConfig config;
  // special_tokens_map.json first, so that tokenizer_config.json's fields win.
  for (const char* name : {"special_tokens_map.json", "tokenizer_config.json"}) {
    const std::string path = absl::StrCat(model_dir, "/", name);
    absl::StatusOr<Json> root = ReadJson(path, /*optional=*/true);
    if (!root.ok()) return root.status();
    if (absl::Status s = Merge(*root, path, config); !s.ok()) return s;
  }
  return config;
}

absl::StatusOr<std::map<std::string, int32_t>> LoadTokenizerJsonIds(const std::string& path) {
  absl::StatusOr<Json> root = ReadJson(path, /*optional=*/false);
  if (!root.ok()) return root.status();
  std::map<std::string, int32_t> ids;
  const Json* vocab = nullptr;
  if (auto model = root->find("model"); model != root->end() && model->is_object()) {
    if (auto it = model->find("vocab"); it != model->end()) vocab = &*it;
  }
  if (vocab == nullptr || !vocab->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": model.vocab must be an object (piece -> id), as in a BPE tokenizer.json"));
  }
  for (const auto& [piece, id] : vocab->items()) {
    if (absl::Status s = AddId(ids, piece, id, path); !s.ok()) return s;
  }
  if (auto added = root->find("added_tokens"); added != root->end() && !added->is_null()) {
    if (!added->is_array()) return WrongType(path, "added_tokens", "a list", *added);
    for (const Json& token : *added) {
      std::optional<std::string> content = TokenContent(token);
      if (!content || !token.contains("id")) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": each of added_tokens must have an id and a content"));
      }
      if (absl::Status s = AddId(ids, *content, token["id"], path); !s.ok()) return s;
    }
  }
  return ids;
}

}  // namespace tserve::engine

#include "golden_data.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace tserve::testing {

std::filesystem::path TestDataDir() {
  return std::filesystem::path(TSERVE_SOURCE_DIR) / "tests" / "data";
}

std::vector<std::string> GoldenModelNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(TestDataDir() / "golden")) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

GoldenModel LoadGolden(const std::string& name) {
  GoldenModel golden;
  golden.name = name;
  golden.model_dir = TestDataDir() / "models" / name;
  const auto dir = TestDataDir() / "golden" / name;
  std::ifstream in(dir / "golden.json");
  std::stringstream text;
  text << in.rdbuf();
  golden.json = nlohmann::json::parse(text.str());
  auto tensors = engine::SafetensorsFile::Open((dir / "golden.safetensors").string());
  if (!tensors.ok()) throw std::runtime_error(std::string(tensors.status().message()));
  golden.tensors = std::move(*tensors);
  return golden;
}

std::vector<int32_t> GoldenModel::SourceIds(int sentence) const {
  return json["sentences"][sentence]["source_ids"].get<std::vector<int32_t>>();
}

bool GoldenModel::HasText() const {
  return !json["greedy"].empty() && json["greedy"][0].contains("text");
}

engine::LoadOptions GoldenModel::Options(engine::ComputeType compute_type) const {
  engine::LoadOptions options;
  options.compute_type = compute_type;
  options.load_tokenizer = HasText();
  return options;
}

std::optional<int32_t> GoldenModel::ForcedFirstToken(const nlohmann::json& entry) {
  if (!entry.contains("forced_first_token")) return std::nullopt;
  return entry["forced_first_token"].get<int32_t>();
}

std::vector<float> GoldenModel::Tensor(const std::string& tensor_name) const {
  const engine::TensorEntry* entry = tensors->Find(tensor_name);
  if (entry == nullptr) throw std::runtime_error("no golden tensor " + tensor_name);
  auto values = tensors->ReadFloat32(tensor_name, entry->shape);
  if (!values.ok()) throw std::runtime_error(std::string(values.status().message()));
  return *values;
}

float MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::numeric_limits<float>::infinity();
  float worst = 0.f;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

}  // namespace tserve::testing

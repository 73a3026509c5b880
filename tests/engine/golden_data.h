#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "engine/model/safetensors.h"

namespace tserve::testing {

// The golden outputs of the PyTorch reference for one test model
// (tests/data/golden/<model>/, written by tools/make_golden.py).
struct GoldenModel {
  std::string name;
  std::filesystem::path model_dir;
  nlohmann::json json;
  std::unique_ptr<engine::SafetensorsFile> tensors;

  std::vector<int32_t> SourceIds(int sentence) const;
  // Whether the greedy goldens hold detokenized text. The models of the other
  // families (M2M100/NLLB, BART, mBART) have ids-only goldens.
  bool HasText() const;
  // Options that load the model, with its tokenizer only when HasText().
  engine::LoadOptions Options(
      engine::ComputeType compute_type = engine::ComputeType::kFloat32) const;
  // The entry's per-request forced first token, if any ("forced_first_token").
  static std::optional<int32_t> ForcedFirstToken(const nlohmann::json& entry);
  // A golden float32 tensor, flattened.
  std::vector<float> Tensor(const std::string& name) const;
};

std::filesystem::path TestDataDir();
// Every model under tests/data/golden, sorted by name.
std::vector<std::string> GoldenModelNames();
GoldenModel LoadGolden(const std::string& name);

// Largest |a[i] - b[i]|; infinity when the sizes differ.
float MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace tserve::testing

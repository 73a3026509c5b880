#include "engine/model/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/config.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

using Json = nlohmann::json;

struct Layout {
  std::string_view file;
  bool safetensors;
  bool index;
};

// In order of preference.
constexpr Layout kLayouts[] = {
    {"model.safetensors", true, false},
    {"model.safetensors.index.json", true, true},
    {"pytorch_model.bin", false, false},
    {"pytorch_model.bin.index.json", false, true},
};

// A shard must be a file of the model directory itself: an index is data from the
// publisher and may not point elsewhere on the machine.
bool IsPlainFileName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

}  // namespace

Checkpoint::~Checkpoint() = default;

absl::StatusOr<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::string& model_dir) {
  for (const Layout& layout : kLayouts) {
    const std::string path = (std::filesystem::path(model_dir) / layout.file).string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    const Format format = layout.safetensors ? Format::kSafetensors : Format::kTorch;
    auto checkpoint = std::unique_ptr<Checkpoint>(new Checkpoint());
    checkpoint->label_ = path;
    if (layout.index) {
      if (absl::Status s = checkpoint->OpenIndex(model_dir, path, format); !s.ok()) return s;
    } else {
      if (absl::Status s = checkpoint->AddShard(path, format); !s.ok()) return s;
      checkpoint->format_ = layout.safetensors ? "safetensors" : "pytorch_model.bin";
      const Shard& shard = checkpoint->shards_.front();
      for (const TensorEntry& t :
           shard.safetensors ? shard.safetensors->tensors() : shard.torch->tensors()) {
        checkpoint->tensors_.push_back(&t);
        checkpoint->shard_of_.push_back(0);
      }
    }
    checkpoint->Finish();
    return checkpoint;
  }
  std::string looked_for;
  for (const Layout& layout : kLayouts) {
    if (!looked_for.empty()) looked_for += ", ";
    looked_for += layout.file;
  }
  return absl::NotFoundError(
      absl::StrFormat("%s: no weights: none of %s exists", model_dir, looked_for));
}

absl::Status Checkpoint::AddShard(const std::string& path, Format format) {
  Shard shard;
  shard.path = path;
  if (format == Format::kSafetensors) {
    absl::StatusOr<std::unique_ptr<SafetensorsFile>> file = SafetensorsFile::Open(path);
    if (!file.ok()) return file.status();
    shard.safetensors = std::move(*file);
  } else {
    absl::StatusOr<std::unique_ptr<TorchCheckpoint>> file = TorchCheckpoint::Open(path);
    if (!file.ok()) return file.status();
    shard.torch = std::move(*file);
  }
  shards_.push_back(std::move(shard));
  files_.push_back(path);
  return absl::OkStatus();
}

absl::Status Checkpoint::OpenIndex(const std::string& model_dir, const std::string& index_path,
                                   Format format) {
  auto error = [&index_path](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(index_path, ": ", what));
  };
  absl::StatusOr<std::string> text = internal::ReadFile(index_path);
  if (!text.ok()) return text.status();
  const Json root = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return error(internal::DescribeJsonSyntaxError(*text));
  if (!root.is_object()) return error("must be a JSON object");
  auto weight_map = root.find("weight_map");
  if (weight_map == root.end() || !weight_map->is_object()) {
    return error("has no \"weight_map\" object (tensor name -> shard file)");
  }
  if (weight_map->empty()) return error("\"weight_map\" lists no tensors");

  // Shards in file name order, each opened once.
  std::map<std::string, size_t> shard_index;
  for (const auto& [tensor, file] : weight_map->items()) {
    if (!file.is_string()) {
      return error(absl::StrFormat("tensor '%s': the shard must be a file name string",
                                   absl::CHexEscape(tensor)));
    }
    const std::string& name = file.get_ref<const std::string&>();
    if (!IsPlainFileName(name)) {
      return error(
          absl::StrFormat("tensor '%s': shard '%s' is not a plain file name in the model directory",
                          absl::CHexEscape(tensor), absl::CHexEscape(name)));
    }
    shard_index.emplace(name, 0);
  }
  files_.push_back(index_path);
  for (auto& [name, index] : shard_index) {
    index = shards_.size();
    const std::string path = (std::filesystem::path(model_dir) / name).string();
    if (absl::Status s = AddShard(path, format); !s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat(index_path, ": shard '", name, "': ", s.message()));
    }
  }
  format_ = absl::StrFormat("%s, %d shard%s",
                            format == Format::kSafetensors ? "safetensors" : "pytorch_model.bin",
                            shards_.size(), shards_.size() == 1 ? "" : "s");

  for (const auto& [tensor, file] : weight_map->items()) {
    const size_t index = shard_index.at(file.get_ref<const std::string&>());
    const Shard& shard = shards_[index];
    const TensorEntry* entry =
        shard.safetensors ? shard.safetensors->Find(tensor) : shard.torch->Find(tensor);
    if (entry == nullptr) {
      return error(absl::StrFormat("tensor '%s' is listed in shard '%s', which does not hold it",
                                   absl::CHexEscape(tensor),
                                   absl::CHexEscape(file.get<std::string>())));
    }
    tensors_.push_back(entry);
    shard_of_.push_back(index);
  }
  return absl::OkStatus();
}

void Checkpoint::Finish() {
  std::vector<size_t> order(tensors_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [this](size_t a, size_t b) { return tensors_[a]->name < tensors_[b]->name; });
  std::vector<const TensorEntry*> tensors;
  std::vector<size_t> shard_of;
  tensors.reserve(order.size());
  shard_of.reserve(order.size());
  for (size_t i : order) {
    tensors.push_back(tensors_[i]);
    shard_of.push_back(shard_of_[i]);
  }
  tensors_ = std::move(tensors);
  shard_of_ = std::move(shard_of);
}

size_t Checkpoint::IndexOf(std::string_view name) const {
  auto it = std::lower_bound(
      tensors_.begin(), tensors_.end(), name,
      [](const TensorEntry* t, std::string_view n) { return std::string_view(t->name) < n; });
  if (it == tensors_.end() || (*it)->name != name) return kAbsent;
  return static_cast<size_t>(it - tensors_.begin());
}

const TensorEntry* Checkpoint::Find(std::string_view name) const {
  const size_t i = IndexOf(name);
  return i == kAbsent ? nullptr : tensors_[i];
}

std::string_view Checkpoint::FileOf(std::string_view name) const {
  const size_t i = IndexOf(name);
  return i == kAbsent ? std::string_view() : std::string_view(shards_[shard_of_[i]].path);
}

absl::Status Checkpoint::ReadFloat32(std::string_view name,
                                     absl::Span<const int64_t> expected_shape, float* out) const {
  const size_t i = IndexOf(name);
  if (i == kAbsent) {
    return absl::NotFoundError(absl::StrFormat("%s: tensor '%s' not found", label_, name));
  }
  const Shard& shard = shards_[shard_of_[i]];
  return shard.safetensors ? shard.safetensors->ReadFloat32(name, expected_shape, out)
                           : shard.torch->ReadFloat32(name, expected_shape, out);
}

absl::StatusOr<std::vector<float>> Checkpoint::ReadFloat32(
    std::string_view name, absl::Span<const int64_t> expected_shape) const {
  return ReadFloat32Vector(*this, name, expected_shape);
}

}  // namespace tserve::engine

// The weights of one Hugging Face model directory, whatever layout it was
// published in. Looked for in this order (the first present wins, so safetensors
// is preferred where a directory has both):
//   model.safetensors
//   model.safetensors.index.json   {"metadata": {...}, "weight_map": {tensor: shard file}}
//   pytorch_model.bin              (torch.save of the state dict)
//   pytorch_model.bin.index.json   (same index format, .bin shards)
// Every file is memory-mapped once; tensors point into the mappings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/model/safetensors.h"
#include "engine/model/torch_checkpoint.h"

namespace tserve::engine {

class Checkpoint {
 public:
  // NOT_FOUND, naming the directory and the four files looked for, when none
  // exists; INVALID_ARGUMENT naming the file when one is malformed. Every tensor an
  // index lists must be in its shard; shard names must be plain file names.
  static absl::StatusOr<std::unique_ptr<Checkpoint>> Open(const std::string& model_dir);

  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;
  ~Checkpoint();

  // nullptr when absent.
  const TensorEntry* Find(std::string_view name) const;

  // Copies tensor `name` to float32, converting F16/BF16; `out` must hold
  // product(expected_shape) floats. Errors name the file and the tensor: absent
  // (NOT_FOUND), another dtype, or a shape other than `expected_shape`. The file's
  // pages under the tensor are released afterwards (the weights are read once).
  absl::Status ReadFloat32(std::string_view name, absl::Span<const int64_t> expected_shape,
                           float* out) const;
  absl::StatusOr<std::vector<float>> ReadFloat32(std::string_view name,
                                                 absl::Span<const int64_t> expected_shape) const;

  // "safetensors", "safetensors, 3 shards", "pytorch_model.bin" or
  // "pytorch_model.bin, 2 shards".
  const std::string& format() const { return format_; }
  // The files read: the weights file, or the index followed by its shards in
  // file name order.
  const std::vector<std::string>& files() const { return files_; }
  // Every tensor, sorted by name.
  const std::vector<const TensorEntry*>& tensors() const { return tensors_; }
  // The path of the file holding tensor `name`; empty when absent.
  std::string_view FileOf(std::string_view name) const;

 private:
  // One weights file, of either format.
  struct Shard {
    std::string path;
    std::unique_ptr<SafetensorsFile> safetensors;
    std::unique_ptr<TorchCheckpoint> torch;
  };
  enum class Format { kSafetensors, kTorch };

  Checkpoint() = default;
  absl::Status AddShard(const std::string& path, Format format);
  absl::Status OpenIndex(const std::string& model_dir, const std::string& index_path,
                         Format format);
  // Sorts the tensors by name.
  void Finish();
  // The position of tensor `name` in tensors_, or kAbsent.
  static constexpr size_t kAbsent = static_cast<size_t>(-1);
  size_t IndexOf(std::string_view name) const;

  std::string label_;  // the weights file or the index, for errors
  std::string format_;
  std::vector<std::string> files_;
  std::vector<Shard> shards_;
  std::vector<const TensorEntry*> tensors_;
  std::vector<size_t> shard_of_;  // parallel to tensors_
};

}  // namespace tserve::engine

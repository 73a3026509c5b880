// Reader of a pytorch_model.bin: the zip archive that torch.save() writes for a
// state dict (PyTorch 1.6 and later). <prefix>/data.pkl describes the tensors
// (engine/model/pickle_reader.h); <prefix>/data/<key> holds each storage's bytes,
// stored uncompressed. The file is memory-mapped and tensors point into it, so
// views of one storage (tied embeddings) share its bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/model/mapped_file.h"
#include "engine/model/safetensors.h"

namespace tserve::engine {

class TorchCheckpoint {
 public:
  // mmap()s the file read-only and validates every tensor before returning.
  static absl::StatusOr<std::unique_ptr<TorchCheckpoint>> Open(const std::string& path);
  // Parses an in-memory image (no copy; `bytes` must outlive the object).
  static absl::StatusOr<std::unique_ptr<TorchCheckpoint>> FromBytes(std::string_view bytes,
                                                                    std::string label = "<memory>");

  TorchCheckpoint(const TorchCheckpoint&) = delete;
  TorchCheckpoint& operator=(const TorchCheckpoint&) = delete;

  // nullptr when absent.
  const TensorEntry* Find(std::string_view name) const;
  // Sorted by name. `dtype` is a safetensors dtype name ("F32", "F16", "BF16", or
  // "I64" and the like for the storage types the engine cannot use).
  const std::vector<TensorEntry>& tensors() const { return tensors_; }
  // The path given to Open(), or the label given to FromBytes().
  const std::string& label() const { return label_; }

  // As SafetensorsFile::ReadFloat32: copies tensor `name` to float32, converting
  // F16/BF16; errors name the file and the tensor.
  absl::Status ReadFloat32(std::string_view name, absl::Span<const int64_t> expected_shape,
                           float* out) const;
  absl::StatusOr<std::vector<float>> ReadFloat32(std::string_view name,
                                                 absl::Span<const int64_t> expected_shape) const;

 private:
  explicit TorchCheckpoint(std::string label) : label_(std::move(label)) {}
  absl::Status Parse(std::string_view bytes);

  std::string label_;
  std::unique_ptr<MappedFile> file_;  // null for FromBytes()
  std::vector<TensorEntry> tensors_;
};

}  // namespace tserve::engine

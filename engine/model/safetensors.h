// Reader for the safetensors format (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length, a JSON header describing every tensor,
// then the raw tensor bytes. The file is memory-mapped; tensors are converted to
// float32 on request.
#ifndef TSERVE_ENGINE_MODEL_SAFETENSORS_H_
#define TSERVE_ENGINE_MODEL_SAFETENSORS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace tserve::engine {

// The element types the engine can read as float32.
enum class StorageType { kF32, kF16, kBF16 };

std::string_view StorageTypeName(StorageType t);

// Maps a header dtype string ("F32", "F16", "BF16") to its StorageType; nullopt for
// every other dtype, including valid safetensors dtypes the engine cannot use.
std::optional<StorageType> ParseStorageType(std::string_view dtype);

// Size in bytes of one element of a safetensors dtype; nullopt when the dtype is unknown.
std::optional<size_t> DtypeSize(std::string_view dtype);

struct TensorEntry {
  std::string name;
  std::string dtype;  // as written in the header, e.g. "F32", "I64"
  std::vector<int64_t> shape;
  const std::byte* data = nullptr;  // points into the mapped file; may be unaligned
  size_t nbytes = 0;
  int64_t num_elements = 0;  // product of `shape` (1 for a scalar)
};

class SafetensorsFile {
 public:
  // Largest header accepted. Real headers are a few hundred KB; a larger value
  // means a corrupt or hostile file, and refusing it bounds the JSON parse.
  static constexpr uint64_t kMaxHeaderBytes = 100u * 1000 * 1000;

  // mmap()s the file read-only; validates the whole header before returning.
  static absl::StatusOr<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);
  // Parses an in-memory image (no copy; `bytes` must outlive the object).
  static absl::StatusOr<std::unique_ptr<SafetensorsFile>> FromBytes(std::string_view bytes);

  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();  // munmap

  // nullptr when absent.
  const TensorEntry* Find(std::string_view name) const;
  // Sorted by name.
  const std::vector<TensorEntry>& tensors() const { return tensors_; }
  // The "__metadata__" object of the header (string -> string).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // The path given to Open(), or "<memory>".
  const std::string& label() const { return label_; }

  // Copies tensor `name` to float32, converting F16/BF16. `out` must hold
  // product(expected_shape) floats. Fails with a message naming the tensor when
  // it is absent, has another dtype, or its shape differs from `expected_shape`.
  absl::Status ReadFloat32(std::string_view name, absl::Span<const int64_t> expected_shape,
                           float* out) const;
  absl::StatusOr<std::vector<float>> ReadFloat32(std::string_view name,
                                                 absl::Span<const int64_t> expected_shape) const;

 private:
  explicit SafetensorsFile(std::string label) : label_(std::move(label)) {}
  absl::Status Parse(std::string_view bytes);

  std::string label_;
  // Releases the file pages under [data, data + bytes) from the resident set
  // after a read: a model's weights are read once, into their packed form, so
  // the mapped file need not stay resident beside them.
  void DropMappedPages(const std::byte* data, size_t bytes) const;

  void* mapping_ = nullptr;  // non-null only for Open()
  size_t mapping_size_ = 0;
  std::vector<TensorEntry> tensors_;
  std::map<std::string, std::string> metadata_;
};

// Element conversions, exposed for tests and for other readers of half-precision data.
// What every checkpoint reader shares (safetensors, .bin, sharded):
// the entry named `name` in `sorted` (sorted by name), or null;
const TensorEntry* FindTensor(absl::Span<const TensorEntry> sorted, std::string_view name);
// `entry`'s values (F32, F16 or BF16) as float32 in `out`, once its shape is
// `expected_shape`; errors name `label` and `name` (NOT_FOUND for a null entry);
absl::Status CopyTensorAsFloat32(const TensorEntry* entry, std::string_view label,
                                 std::string_view name, absl::Span<const int64_t> expected_shape,
                                 float* out);
// and the allocating ReadFloat32 on top of a reader's `Find` and pointer
// ReadFloat32: the file's shape sizes the output only once it equals the
// expected one.
template <typename Reader>
absl::StatusOr<std::vector<float>> ReadFloat32Vector(const Reader& reader, std::string_view name,
                                                     absl::Span<const int64_t> expected_shape) {
  const TensorEntry* t = reader.Find(name);
  std::vector<float> out;
  if (t != nullptr &&
      std::equal(t->shape.begin(), t->shape.end(), expected_shape.begin(), expected_shape.end())) {
    out.resize(static_cast<size_t>(t->num_elements));
  }
  if (absl::Status s = reader.ReadFloat32(name, expected_shape, out.data()); !s.ok()) return s;
  return out;
}

float HalfToFloat(uint16_t bits);
float BFloat16ToFloat(uint16_t bits);

}  // namespace tserve::engine

#endif  // TSERVE_ENGINE_MODEL_SAFETENSORS_H_

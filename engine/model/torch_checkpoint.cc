#include "engine/model/torch_checkpoint.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/model/pickle_reader.h"
#include "engine/model/zip_archive.h"

namespace tserve::engine {
namespace {

// Storage bytes are reinterpreted in place; torch.save writes little-endian data
// on the little-endian machines this runs on.
static_assert(std::endian::native == std::endian::little, "checkpoint reader assumes LE");

std::string ShapeString(absl::Span<const int64_t> shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

// absl::string_view is its own type in Debian's Abseil, not std::string_view.
std::string Quoted(std::string_view name) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(name.data(), name.size())), "'");
}

// Whether a tensor of `shape` and `stride` is laid out row-major without gaps, by
// PyTorch's rule: dimensions of size 1 may have any stride, and a tensor without
// elements is contiguous whatever its strides. `shape`'s product must not overflow.
bool IsContiguous(const std::vector<int64_t>& shape, const std::vector<int64_t>& stride) {
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return true;
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;
    if (stride[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

// The archive's top folder: torch.save names every entry <prefix>/..., where the
// prefix is the file's base name ("pytorch_model") or "archive".
std::optional<std::string_view> TopFolder(const ZipArchive& archive) {
  if (archive.entries().empty()) return std::nullopt;
  const std::string_view first = archive.entries().front().name;
  const size_t slash = first.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  return first.substr(0, slash);
}

std::string CompressedError(const ZipEntry& entry) {
  return absl::StrFormat(
      "entry %s is compressed (method %d); PyTorch checkpoints store tensors uncompressed — "
      "re-save with torch.save",
      Quoted(entry.name), entry.method);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TorchCheckpoint>> TorchCheckpoint::Open(const std::string& path) {
  absl::StatusOr<std::unique_ptr<MappedFile>> file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  auto checkpoint = std::unique_ptr<TorchCheckpoint>(new TorchCheckpoint(path));
  checkpoint->file_ = std::move(*file);
  if (absl::Status s = checkpoint->Parse(checkpoint->file_->bytes()); !s.ok()) return s;
  return checkpoint;
}

absl::StatusOr<std::unique_ptr<TorchCheckpoint>> TorchCheckpoint::FromBytes(std::string_view bytes,
                                                                            std::string label) {
  auto checkpoint = std::unique_ptr<TorchCheckpoint>(new TorchCheckpoint(std::move(label)));
  if (absl::Status s = checkpoint->Parse(bytes); !s.ok()) return s;
  return checkpoint;
}

absl::Status TorchCheckpoint::Parse(std::string_view bytes) {
  auto error = [this](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(label_, ": ", what));
  };
  if (!ZipArchive::LooksLikeZip(bytes)) {
    return error(
        "not a zip archive: saved by torch < 1.6 (the legacy format) or not a PyTorch "
        "checkpoint; re-save it with a current torch (torch.save(torch.load(path), path)) or "
        "convert it to model.safetensors");
  }
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(bytes, label_);
  if (!archive.ok()) return archive.status();

  const std::optional<std::string_view> prefix = TopFolder(*archive);
  if (!prefix) {
    return error(
        "the zip archive's entries are not inside a top folder: not written by torch.save");
  }
  const std::string pickle_name = absl::StrFormat("%s/data.pkl", *prefix);
  const ZipEntry* pickle = archive->Find(pickle_name);
  if (pickle == nullptr) {
    return error(absl::StrCat("no ", Quoted(pickle_name),
                              " entry: a zip archive but not a PyTorch checkpoint"));
  }
  if (pickle->method != 0) return error(CompressedError(*pickle));
  // torch >= 2.1 records the byte order of the storages; older versions wrote
  // the machine's, little-endian on every platform that runs this.
  const std::string byteorder_name = absl::StrFormat("%s/byteorder", *prefix);
  if (const ZipEntry* byteorder = archive->Find(byteorder_name);
      byteorder != nullptr && byteorder->data != "little") {
    return error(absl::StrFormat("%s is %s: only little-endian checkpoints can be read",
                                 Quoted(byteorder_name), Quoted(byteorder->data)));
  }
  absl::StatusOr<std::vector<PickledTensor>> pickled = ParseStateDictPickle(pickle->data);
  if (!pickled.ok()) return error(absl::StrCat(pickle_name, ": ", pickled.status().message()));

  tensors_.reserve(pickled->size());
  for (PickledTensor& p : *pickled) {
    const std::string name = Quoted(p.name);
    const size_t element_size = *DtypeSize(p.dtype);  // the pickle reader's dtypes all have one
    const std::string storage_name = absl::StrFormat("%s/data/%s", *prefix, p.storage_key);
    const ZipEntry* storage = archive->Find(storage_name);
    if (storage == nullptr) {
      return error(absl::StrFormat("tensor %s: its storage entry %s is missing", name,
                                   Quoted(storage_name)));
    }
    if (storage->method != 0) return error(CompressedError(*storage));
    uint64_t storage_bytes = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(p.storage_numel), element_size,
                               &storage_bytes) ||
        storage_bytes != storage->data.size()) {
      return error(absl::StrFormat(
          "tensor %s: storage %s holds %d bytes, not the %d elements of %s (%d bytes each) that "
          "data.pkl declares",
          name, Quoted(storage_name), storage->data.size(), p.storage_numel, p.dtype,
          element_size));
    }
    uint64_t elements = 1;
    bool overflow = false;
    for (int64_t d : p.shape) {
      overflow = overflow || __builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements);
    }
    if (overflow || elements > static_cast<uint64_t>(INT64_MAX)) {
      return error(
          absl::StrFormat("tensor %s: shape %s has too many elements", name, ShapeString(p.shape)));
    }
    if (!IsContiguous(p.shape, p.stride)) {
      return error(absl::StrFormat(
          "tensor %s is not contiguous (shape %s, stride %s); re-save the state dict with "
          "every tensor made contiguous (tensor.contiguous())",
          name, ShapeString(p.shape), ShapeString(p.stride)));
    }
    const uint64_t offset = static_cast<uint64_t>(p.storage_offset);
    const uint64_t storage_numel = static_cast<uint64_t>(p.storage_numel);
    if (offset > storage_numel || elements > storage_numel - offset) {
      return error(absl::StrFormat(
          "tensor %s: elements [%d, %d) go past the end of its storage %s (%d elements)", name,
          offset, offset + elements, Quoted(storage_name), storage_numel));
    }
    TensorEntry entry;
    entry.name = std::move(p.name);
    entry.dtype = std::move(p.dtype);
    entry.shape = std::move(p.shape);
    entry.num_elements = static_cast<int64_t>(elements);
    entry.nbytes = static_cast<size_t>(elements) * element_size;
    entry.data = reinterpret_cast<const std::byte*>(storage->data.data()) + offset * element_size;
    tensors_.push_back(std::move(entry));
  }
  std::sort(tensors_.begin(), tensors_.end(),
            [](const TensorEntry& a, const TensorEntry& b) { return a.name < b.name; });
  return absl::OkStatus();
}

const TensorEntry* TorchCheckpoint::Find(std::string_view name) const {
  return FindTensor(tensors_, name);
}

absl::Status TorchCheckpoint::ReadFloat32(std::string_view name,
                                          absl::Span<const int64_t> expected_shape,
                                          float* out) const {
  const TensorEntry* t = Find(name);
  if (absl::Status s = CopyTensorAsFloat32(t, label_, name, expected_shape, out); !s.ok()) {
    return s;
  }
  // Views of one storage (tied embeddings) share these pages; dropping them after
  // the first read only means the next one faults them back in.
  if (file_ != nullptr) file_->DropPages(t->data, t->nbytes);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<float>> TorchCheckpoint::ReadFloat32(
    std::string_view name, absl::Span<const int64_t> expected_shape) const {
  return ReadFloat32Vector(*this, name, expected_shape);
}

}  // namespace tserve::engine

#include "engine/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/model/config.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

// Tensor bytes are reinterpreted in place; the format is little-endian.
static_assert(std::endian::native == std::endian::little, "safetensors reader assumes LE");

using Json = nlohmann::json;

struct DtypeInfo {
  std::string_view name;
  size_t size;
};

// The dtypes of the safetensors specification.
constexpr std::array<DtypeInfo, 15> kDtypes = {{
    {"BOOL", 1},
    {"U8", 1},
    {"I8", 1},
    {"F8_E5M2", 1},
    {"F8_E4M3", 1},
    {"I16", 2},
    {"U16", 2},
    {"F16", 2},
    {"BF16", 2},
    {"I32", 4},
    {"U32", 4},
    {"F32", 4},
    {"F64", 8},
    {"I64", 8},
    {"U64", 8},
}};

std::string ShapeString(absl::Span<const int64_t> shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

// nlohmann's type_name() says "number" for every number; integers and floats are
// different errors here.
std::string_view JsonTypeName(const Json& j) {
  if (j.is_number_integer()) return "integer";
  if (j.is_number_float()) return "float";
  if (j.is_boolean()) return "boolean";
  return j.type_name();
}

uint64_t ReadLittleEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Parses one header entry into `entry` (name already set). `data` is the byte section
// after the header; data_offsets are relative to its start.
absl::Status ParseEntry(const Json& j, std::string_view data, TensorEntry& entry) {
  const std::string& name = entry.name;
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("tensor '%s': entry must be an object, got %s", name, JsonTypeName(j)));
  }
  auto dtype_it = j.find("dtype");
  auto shape_it = j.find("shape");
  auto offsets_it = j.find("data_offsets");
  const char* missing = dtype_it == j.end()     ? "dtype"
                        : shape_it == j.end()   ? "shape"
                        : offsets_it == j.end() ? "data_offsets"
                                                : nullptr;
  if (missing != nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat("tensor '%s': missing '%s'", name, missing));
  }
  if (!dtype_it->is_string()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "tensor '%s': 'dtype' must be a string, got %s", name, JsonTypeName(*dtype_it)));
  }
  entry.dtype = dtype_it->get_ref<const std::string&>();
  std::optional<size_t> element_size = DtypeSize(entry.dtype);
  if (!element_size) {
    return absl::InvalidArgumentError(absl::StrFormat("tensor '%s': unknown dtype '%s'", name,
                                                      absl::Utf8SafeCEscape(entry.dtype)));
  }

  if (!shape_it->is_array()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "tensor '%s': 'shape' must be an array, got %s", name, JsonTypeName(*shape_it)));
  }
  // Elements are counted in unsigned 64-bit with overflow checks: a shape such as
  // [2^40, 2^40] must be an error, not a wrapped product that happens to match.
  uint64_t elements = 1;
  bool overflow = false;
  for (const Json& dim : *shape_it) {
    if (!dim.is_number_integer()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "tensor '%s': shape dimensions must be integers, got %s", name, JsonTypeName(dim)));
    }
    if (!dim.is_number_unsigned()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("tensor '%s': negative dimension %d in shape", name, dim.get<int64_t>()));
    }
    uint64_t d = dim.get<uint64_t>();
    if (d > static_cast<uint64_t>(INT64_MAX)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("tensor '%s': dimension %d is too large", name, d));
    }
    entry.shape.push_back(static_cast<int64_t>(d));
    overflow = overflow || __builtin_mul_overflow(elements, d, &elements);
  }
  uint64_t expected_bytes = 0;
  if (overflow || elements > static_cast<uint64_t>(INT64_MAX) ||
      __builtin_mul_overflow(elements, *element_size, &expected_bytes)) {
    return absl::InvalidArgumentError(absl::StrFormat("tensor '%s': shape %s has too many elements",
                                                      name, ShapeString(entry.shape)));
  }
  entry.num_elements = static_cast<int64_t>(elements);

  const Json& offsets = *offsets_it;
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "tensor '%s': 'data_offsets' must be [begin, end] with non-negative integers", name));
  }
  uint64_t begin = offsets[0].get<uint64_t>();
  uint64_t end = offsets[1].get<uint64_t>();
  if (begin > end) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "tensor '%s': data_offsets [%d, %d] end before they begin", name, begin, end));
  }
  if (end > data.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "tensor '%s': data_offsets [%d, %d] go past the end of the data section (%d bytes)", name,
        begin, end, data.size()));
  }
  if (end - begin != expected_bytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "tensor '%s': data_offsets [%d, %d] hold %d bytes but %s shape %s needs %d", name, begin,
        end, end - begin, entry.dtype, ShapeString(entry.shape), expected_bytes));
  }
  entry.data = reinterpret_cast<const std::byte*>(data.data()) + begin;
  entry.nbytes = static_cast<size_t>(end - begin);
  return absl::OkStatus();
}

absl::Status ParseMetadata(const Json& j, std::map<std::string, std::string>& metadata) {
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("'__metadata__' must be an object, got %s", JsonTypeName(j)));
  }
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("'__metadata__' value of '%s' must be a string, got %s",
                          absl::Utf8SafeCEscape(key), JsonTypeName(value)));
    }
    metadata.emplace(key, value.get_ref<const std::string&>());
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view StorageTypeName(StorageType t) {
  switch (t) {
    case StorageType::kF32:
      return "F32";
    case StorageType::kF16:
      return "F16";
    case StorageType::kBF16:
      return "BF16";
  }
  return "?";
}

std::optional<StorageType> ParseStorageType(std::string_view dtype) {
  if (dtype == "F32") return StorageType::kF32;
  if (dtype == "F16") return StorageType::kF16;
  if (dtype == "BF16") return StorageType::kBF16;
  return std::nullopt;
}

std::optional<size_t> DtypeSize(std::string_view dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.name == dtype) return info.size;
  }
  return std::nullopt;
}

const TensorEntry* FindTensor(absl::Span<const TensorEntry> sorted, std::string_view name) {
  auto it = std::lower_bound(
      sorted.begin(), sorted.end(), name,
      [](const TensorEntry& t, std::string_view n) { return std::string_view(t.name) < n; });
  if (it == sorted.end() || it->name != name) return nullptr;
  return &*it;
}

absl::Status CopyTensorAsFloat32(const TensorEntry* t, std::string_view label,
                                 std::string_view name, absl::Span<const int64_t> expected_shape,
                                 float* out) {
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrFormat("%s: tensor '%s' not found", label, name));
  }
  std::optional<StorageType> type = ParseStorageType(t->dtype);
  if (!type) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: tensor '%s' has dtype %s; expected F32, F16 or BF16", label, name, t->dtype));
  }
  if (!std::equal(t->shape.begin(), t->shape.end(), expected_shape.begin(), expected_shape.end())) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: tensor '%s' has shape %s; expected %s",
                                                      label, name, ShapeString(t->shape),
                                                      ShapeString(expected_shape)));
  }
  const size_t n = static_cast<size_t>(t->num_elements);
  if (*type == StorageType::kF32) {
    // memcpy, not a cast: tensor data in a file need not be 4-byte aligned.
    if (n > 0) std::memcpy(out, t->data, n * sizeof(float));
    return absl::OkStatus();
  }
  const bool half = *type == StorageType::kF16;
  for (size_t i = 0; i < n; ++i) {
    uint16_t bits;
    std::memcpy(&bits, t->data + 2 * i, sizeof(bits));
    out[i] = half ? HalfToFloat(bits) : BFloat16ToFloat(bits);
  }
  return absl::OkStatus();
}

float HalfToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t result;
  if (exponent == 0x1f) {  // inf or NaN; keep the NaN payload
    result = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal: rebias 15 -> 127
    result = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    result = sign;
  } else {  // subnormal: shift the leading one into the implicit bit
    int e = -1;
    do {
      ++e;
      mantissa <<= 1;
    } while ((mantissa & 0x400u) == 0);
    result = sign | static_cast<uint32_t>(112 - e) << 23 | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(result);
}

float BFloat16ToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return absl::ErrnoToStatus(err, absl::StrCat("cannot open safetensors file ", path));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat("cannot stat ", path));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  auto file = std::unique_ptr<SafetensorsFile>(new SafetensorsFile(path));
  const size_t size = static_cast<size_t>(st.st_size);
  // mmap() refuses length 0; an empty file fails the length check in Parse().
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return absl::ErrnoToStatus(err, absl::StrCat("cannot mmap ", path));
    }
    file->mapping_ = p;
    file->mapping_size_ = size;
  }
  ::close(fd);  // the mapping keeps the file alive
  std::string_view bytes(static_cast<const char*>(file->mapping_), file->mapping_size_);
  if (absl::Status s = file->Parse(bytes); !s.ok()) return s;
  return file;
}

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::FromBytes(
    std::string_view bytes) {
  auto file = std::unique_ptr<SafetensorsFile>(new SafetensorsFile("<memory>"));
  if (absl::Status s = file->Parse(bytes); !s.ok()) return s;
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

absl::Status SafetensorsFile::Parse(std::string_view bytes) {
  auto error = [this](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s", label_, what));
  };
  if (bytes.size() < 8) {
    return error(absl::StrFormat(
        "file is %d bytes, shorter than the 8-byte header length; not a safetensors file",
        bytes.size()));
  }
  const uint64_t header_size = ReadLittleEndian64(bytes.data());
  if (header_size > kMaxHeaderBytes) {
    return error(absl::StrFormat("header length %d exceeds the %d-byte limit", header_size,
                                 kMaxHeaderBytes));
  }
  if (header_size > bytes.size() - 8) {
    return error(absl::StrFormat("header length %d goes past the end of the file (%d bytes)",
                                 header_size, bytes.size()));
  }
  const std::string_view header = bytes.substr(8, header_size);
  const std::string_view data = bytes.substr(8 + header_size);

  // Tensor names are the top-level keys; nlohmann keeps only the last of duplicated
  // keys, so duplicates are caught while parsing.
  std::set<std::string, std::less<>> top_keys;
  std::string duplicate;
  auto on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key && duplicate.empty() &&
        parsed.is_string() && !top_keys.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  const Json root = Json::parse(header.begin(), header.end(), on_event,
                                /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return error(
        absl::StrCat("header is not valid JSON: ", internal::DescribeJsonSyntaxError(header)));
  }
  if (!root.is_object()) {
    return error(absl::StrFormat("header must be a JSON object, got %s", JsonTypeName(root)));
  }
  if (!duplicate.empty()) {
    return error(absl::StrFormat("tensor '%s' appears twice in the header",
                                 absl::Utf8SafeCEscape(duplicate)));
  }

  tensors_.reserve(root.size());
  for (const auto& [key, value] : root.items()) {
    if (key == "__metadata__") {
      if (absl::Status s = ParseMetadata(value, metadata_); !s.ok()) return error(s.message());
      continue;
    }
    TensorEntry entry;
    entry.name = key;
    if (absl::Status s = ParseEntry(value, data, entry); !s.ok()) return error(s.message());
    tensors_.push_back(std::move(entry));
  }
  // nlohmann's object is a std::map, so tensors_ is already sorted by name, which
  // Find() relies on. Sort a view by offset to check that no two tensors share bytes.
  std::vector<const TensorEntry*> by_offset;
  by_offset.reserve(tensors_.size());
  for (const TensorEntry& t : tensors_) {
    if (t.nbytes > 0) by_offset.push_back(&t);  // empty tensors occupy no bytes
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorEntry* a, const TensorEntry* b) { return a->data < b->data; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const TensorEntry& prev = *by_offset[i - 1];
    const TensorEntry& cur = *by_offset[i];
    if (cur.data < prev.data + prev.nbytes) {
      auto offset = [&](const TensorEntry& t) {
        return static_cast<size_t>(t.data - reinterpret_cast<const std::byte*>(data.data()));
      };
      return error(
          absl::StrFormat("tensors '%s' (bytes [%d, %d]) and '%s' (bytes [%d, %d]) overlap",
                          prev.name, offset(prev), offset(prev) + prev.nbytes, cur.name,
                          offset(cur), offset(cur) + cur.nbytes));
    }
  }
  return absl::OkStatus();
}

const TensorEntry* SafetensorsFile::Find(std::string_view name) const {
  return FindTensor(tensors_, name);
}

absl::Status SafetensorsFile::ReadFloat32(std::string_view name,
                                          absl::Span<const int64_t> expected_shape,
                                          float* out) const {
  const TensorEntry* t = Find(name);
  if (absl::Status s = CopyTensorAsFloat32(t, label_, name, expected_shape, out); !s.ok()) {
    return s;
  }
  DropMappedPages(t->data, t->nbytes);
  return absl::OkStatus();
}

void SafetensorsFile::DropMappedPages(const std::byte* data, size_t bytes) const {
  if (mapping_ == nullptr || bytes == 0) return;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(page - 1);
  // Clean pages of a private read-only file mapping: dropping them only means
  // a later read faults them in again from the file.
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

absl::StatusOr<std::vector<float>> SafetensorsFile::ReadFloat32(
    std::string_view name, absl::Span<const int64_t> expected_shape) const {
  return ReadFloat32Vector(*this, name, expected_shape);
}

}  // namespace tserve::engine

// Reader of a zip archive held in memory, as far as PyTorch checkpoints need: the
// central directory (with its ZIP64 forms, which PyTorch always writes), the local
// header of every entry and where each entry's bytes lie. Entries are not
// decompressed: PyTorch stores them, and the caller decides what a compressed entry
// means. Every offset and size read from the archive is checked against the bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tserve::engine {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflated, ...
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  // The entry's bytes as stored: its content when `method` is 0, compressed
  // data otherwise. Points into the archive given to Parse().
  std::string_view data;
};

class ZipArchive {
 public:
  // Largest central directory read; real checkpoints list a few thousand entries
  // (well under 1 MB), and the bound keeps a hostile count from reserving memory.
  static constexpr uint64_t kMaxEntries = 1u << 20;

  // Parses `bytes` (no copy: `bytes` must outlive the archive). `label` names the
  // archive at the start of every error message.
  static absl::StatusOr<ZipArchive> Parse(std::string_view bytes, std::string label);

  // In central directory order.
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // nullptr when absent.
  const ZipEntry* Find(std::string_view name) const;
  const std::string& label() const { return label_; }

  // Whether `bytes` begins as a zip archive does (a local file header, or the end
  // record of an empty archive); used to tell other formats apart in errors.
  static bool LooksLikeZip(std::string_view bytes);

 private:
  explicit ZipArchive(std::string label) : label_(std::move(label)) {}

  std::string label_;
  std::vector<ZipEntry> entries_;
  std::vector<size_t> by_name_;  // indices into entries_, sorted by name
};

}  // namespace tserve::engine

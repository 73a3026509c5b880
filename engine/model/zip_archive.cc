#include "engine/model/zip_archive.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tserve::engine {
namespace {

// Record layouts of the zip specification (APPNOTE.TXT), all little-endian.
constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kEndSize = 22;
constexpr uint64_t kZip64EndSize = 56;
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint64_t kMaxCommentSize = 0xffff;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kEncryptedFlag = 0x0001;

// Fields are read at offsets already checked to lie inside `bytes`.
uint16_t Le16(std::string_view bytes, uint64_t at) {
  uint16_t v;
  std::memcpy(&v, bytes.data() + at, sizeof(v));
  return v;
}
uint32_t Le32(std::string_view bytes, uint64_t at) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + at, sizeof(v));
  return v;
}
uint64_t Le64(std::string_view bytes, uint64_t at) {
  uint64_t v;
  std::memcpy(&v, bytes.data() + at, sizeof(v));
  return v;
}

// Whether [offset, offset + length) lies inside a buffer of `size` bytes, without
// overflowing.
bool Fits(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// absl::string_view is its own type in Debian's Abseil, not std::string_view.
std::string Quoted(std::string_view name) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(name.data(), name.size())), "'");
}

// Where the central directory lies, from the end records.
struct Directory {
  uint64_t entries = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
};

// The ZIP64 extended information of a central directory entry replaces each
// 32-bit field that holds its all-ones sentinel, in this order.
absl::Status ApplyZip64Extra(std::string_view extra, uint32_t size32, uint32_t compressed32,
                             uint32_t offset32, uint16_t disk16, ZipEntry& entry) {
  const bool need_size = size32 == 0xffffffffu;
  const bool need_compressed = compressed32 == 0xffffffffu;
  const bool need_offset = offset32 == 0xffffffffu;
  const bool need_disk = disk16 == 0xffffu;
  std::optional<std::string_view> zip64;
  for (uint64_t at = 0; at < extra.size();) {
    if (!Fits(at, 4, extra.size())) {
      return absl::InvalidArgumentError("extra field header is cut short");
    }
    const uint16_t id = Le16(extra, at);
    const uint16_t length = Le16(extra, at + 2);
    if (!Fits(at + 4, length, extra.size())) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "extra field 0x%04x of %d bytes goes past the end of the extra data", id, length));
    }
    if (id == kZip64ExtraId && !zip64) zip64 = extra.substr(at + 4, length);
    at += 4 + length;
  }
  if (!need_size && !need_compressed && !need_offset && !need_disk) return absl::OkStatus();
  if (!zip64) {
    return absl::InvalidArgumentError(
        "its sizes or offset hold the ZIP64 marker 0xffffffff but it has no ZIP64 extra field");
  }
  uint64_t at = 0;
  bool complete = true;
  auto take = [&](uint64_t& field, uint64_t width) {
    if (!complete || !Fits(at, width, zip64->size())) {
      complete = false;
      return;
    }
    field = width == 8 ? Le64(*zip64, at) : Le32(*zip64, at);
    at += width;
  };
  uint64_t disk = 0;
  if (need_size) take(entry.uncompressed_size, 8);
  if (need_compressed) take(entry.compressed_size, 8);
  if (need_offset) take(entry.local_header_offset, 8);
  if (need_disk) take(disk, 4);
  if (!complete) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "its ZIP64 extra field (%d bytes) is too short for the fields marked 0xffffffff",
        zip64->size()));
  }
  if (disk != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("it starts on disk %d; multi-disk archives are not supported", disk));
  }
  return absl::OkStatus();
}

}  // namespace

bool ZipArchive::LooksLikeZip(std::string_view bytes) {
  return bytes.size() >= 4 &&
         (Le32(bytes, 0) == kLocalHeaderSignature || Le32(bytes, 0) == kEndSignature);
}

absl::StatusOr<ZipArchive> ZipArchive::Parse(std::string_view bytes, std::string label) {
  ZipArchive archive(std::move(label));
  auto error = [&archive](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(archive.label_, ": ", what));
  };
  const uint64_t size = bytes.size();
  if (size < kEndSize) {
    return error(absl::StrFormat(
        "file is %d bytes, shorter than a zip end of central directory record (%d bytes)", size,
        kEndSize));
  }

  // The end record is the last thing in the file but for its comment (at most 64 KiB),
  // so it is searched backwards from the last position it can start at.
  std::optional<uint64_t> end_at;
  const uint64_t lowest = size - kEndSize > kMaxCommentSize ? size - kEndSize - kMaxCommentSize : 0;
  for (uint64_t at = size - kEndSize;; --at) {
    if (Le32(bytes, at) == kEndSignature && Le16(bytes, at + 20) <= size - kEndSize - at) {
      end_at = at;
      break;
    }
    if (at == lowest) break;
  }
  if (!end_at) {
    return error(absl::StrFormat(
        "no zip end of central directory record in the last %d bytes: the file is truncated "
        "or not a zip archive",
        size - lowest));
  }
  const uint64_t end = *end_at;
  uint64_t disk = Le16(bytes, end + 4);
  uint64_t directory_disk = Le16(bytes, end + 6);
  uint64_t entries_here = Le16(bytes, end + 8);
  Directory dir{Le16(bytes, end + 10), Le32(bytes, end + 12), Le32(bytes, end + 16)};

  // A ZIP64 locator right before the end record points at the ZIP64 end record,
  // whose 64-bit fields replace the 16- and 32-bit ones.
  if (end >= kZip64LocatorSize && Le32(bytes, end - kZip64LocatorSize) == kZip64LocatorSignature) {
    const uint64_t locator = end - kZip64LocatorSize;
    const uint64_t zip64_end = Le64(bytes, locator + 8);
    if (Le32(bytes, locator + 16) > 1) {
      return error("the archive spans several disks; multi-disk archives are not supported");
    }
    if (!Fits(zip64_end, kZip64EndSize, locator)) {
      return error(absl::StrFormat(
          "truncated: ZIP64 end of central directory record at offset %d goes past its locator "
          "at offset %d",
          zip64_end, locator));
    }
    if (Le32(bytes, zip64_end) != kZip64EndSignature) {
      return error(absl::StrFormat(
          "no ZIP64 end of central directory record at offset %d, where its locator points",
          zip64_end));
    }
    disk = Le32(bytes, zip64_end + 16);
    directory_disk = Le32(bytes, zip64_end + 20);
    entries_here = Le64(bytes, zip64_end + 24);
    dir = {Le64(bytes, zip64_end + 32), Le64(bytes, zip64_end + 40), Le64(bytes, zip64_end + 48)};
  }
  if (disk != 0 || directory_disk != 0 || entries_here != dir.entries) {
    return error("the archive spans several disks; multi-disk archives are not supported");
  }
  if (!Fits(dir.offset, dir.size, size)) {
    return error(absl::StrFormat(
        "truncated: central directory at offset %d (%d bytes) goes past the end of the file "
        "(%d bytes)",
        dir.offset, dir.size, size));
  }
  if (dir.entries > kMaxEntries) {
    return error(absl::StrFormat("%d entries exceed the limit of %d", dir.entries, kMaxEntries));
  }
  if (dir.entries * kCentralHeaderSize > dir.size) {
    return error(absl::StrFormat("central directory of %d bytes cannot hold its %d entries",
                                 dir.size, dir.entries));
  }

  const std::string_view directory = bytes.substr(dir.offset, dir.size);
  archive.entries_.reserve(dir.entries);
  uint64_t at = 0;
  for (uint64_t i = 0; i < dir.entries; ++i) {
    const uint64_t record_offset = dir.offset + at;
    if (!Fits(at, kCentralHeaderSize, directory.size())) {
      return error(absl::StrFormat(
          "truncated: central directory entry %d at offset %d goes past the end of the central "
          "directory",
          i, record_offset));
    }
    if (Le32(directory, at) != kCentralHeaderSignature) {
      return error(absl::StrFormat("no central directory entry at offset %d (entry %d of %d)",
                                   record_offset, i, dir.entries));
    }
    const uint16_t flags = Le16(directory, at + 8);
    ZipEntry entry;
    entry.method = Le16(directory, at + 10);
    const uint32_t compressed32 = Le32(directory, at + 20);
    const uint32_t size32 = Le32(directory, at + 24);
    const uint16_t name_length = Le16(directory, at + 28);
    const uint16_t extra_length = Le16(directory, at + 30);
    const uint16_t comment_length = Le16(directory, at + 32);
    const uint16_t disk16 = Le16(directory, at + 34);
    const uint32_t offset32 = Le32(directory, at + 42);
    const uint64_t variable = uint64_t{name_length} + extra_length + comment_length;
    if (!Fits(at + kCentralHeaderSize, variable, directory.size())) {
      return error(absl::StrFormat(
          "truncated: central directory entry %d at offset %d goes past the end of the central "
          "directory",
          i, record_offset));
    }
    entry.name = std::string(directory.substr(at + kCentralHeaderSize, name_length));
    const std::string_view extra =
        directory.substr(at + kCentralHeaderSize + name_length, extra_length);
    at += kCentralHeaderSize + variable;

    const std::string name = Quoted(entry.name);
    entry.compressed_size = compressed32;
    entry.uncompressed_size = size32;
    entry.local_header_offset = offset32;
    if (absl::Status s = ApplyZip64Extra(extra, size32, compressed32, offset32, disk16, entry);
        !s.ok()) {
      return error(absl::StrCat("entry ", name, ": ", s.message()));
    }
    if (disk16 != 0 && disk16 != 0xffffu) {
      return error(absl::StrFormat(
          "entry %s starts on disk %d; multi-disk archives are not supported", name, disk16));
    }
    if ((flags & kEncryptedFlag) != 0) {
      return error(absl::StrCat("entry ", name, " is encrypted"));
    }
    if (entry.method == 0 && entry.compressed_size != entry.uncompressed_size) {
      return error(absl::StrFormat(
          "entry %s is stored uncompressed but its sizes differ (%d stored, %d uncompressed)", name,
          entry.compressed_size, entry.uncompressed_size));
    }

    // The local header repeats the name and has its own extra field; only its
    // lengths decide where the data starts. Its sizes may be zero (written after
    // the data), so the central directory's are the ones used.
    const uint64_t local = entry.local_header_offset;
    if (!Fits(local, kLocalHeaderSize, size)) {
      return error(absl::StrFormat(
          "entry %s: local header at offset %d goes past the end of the file (%d bytes)", name,
          local, size));
    }
    if (Le32(bytes, local) != kLocalHeaderSignature) {
      return error(absl::StrFormat("entry %s: no local header at offset %d", name, local));
    }
    const uint64_t local_name_length = Le16(bytes, local + 26);
    const uint64_t local_extra_length = Le16(bytes, local + 28);
    const uint64_t data_begin = local + kLocalHeaderSize + local_name_length + local_extra_length;
    if (data_begin > size) {
      return error(absl::StrFormat(
          "entry %s: local header at offset %d goes past the end of the file (%d bytes)", name,
          local, size));
    }
    const std::string_view local_name = bytes.substr(local + kLocalHeaderSize, local_name_length);
    if (local_name != entry.name) {
      return error(absl::StrFormat("entry %s: the local header at offset %d names %s", name, local,
                                   Quoted(local_name)));
    }
    if (!Fits(data_begin, entry.compressed_size, size)) {
      return error(
          absl::StrFormat("entry %s data [%d, %d) goes past the end of the file (%d bytes)", name,
                          data_begin, data_begin + entry.compressed_size, size));
    }
    entry.data = bytes.substr(data_begin, entry.compressed_size);
    archive.entries_.push_back(std::move(entry));
  }

  archive.by_name_.resize(archive.entries_.size());
  for (size_t i = 0; i < archive.by_name_.size(); ++i) archive.by_name_[i] = i;
  const std::vector<ZipEntry>& entries = archive.entries_;
  std::stable_sort(archive.by_name_.begin(), archive.by_name_.end(),
                   [&entries](size_t a, size_t b) { return entries[a].name < entries[b].name; });
  for (size_t i = 1; i < archive.by_name_.size(); ++i) {
    const std::string& name = entries[archive.by_name_[i]].name;
    if (name == entries[archive.by_name_[i - 1]].name) {
      return error(absl::StrCat("entry ", Quoted(name), " appears twice"));
    }
  }
  return archive;
}

const ZipEntry* ZipArchive::Find(std::string_view name) const {
  auto it = std::lower_bound(
      by_name_.begin(), by_name_.end(), name,
      [this](size_t i, std::string_view n) { return std::string_view(entries_[i].name) < n; });
  if (it == by_name_.end() || entries_[*it].name != name) return nullptr;
  return &entries_[*it];
}

}  // namespace tserve::engine

// A file mapped read-only into memory, for readers of weight files that point
// into the file's bytes instead of copying them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace tserve::engine {

class MappedFile {
 public:
  // NOT_FOUND when the file does not exist; errors name the path.
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  const std::string& path() const { return path_; }

  // Releases the pages that lie wholly inside [data, data + size) from the resident
  // set: a model's weights are read once, into their packed form, so the mapped
  // file need not stay resident beside them. A later read faults them back in.
  void DropPages(const std::byte* data, size_t size) const;

 private:
  explicit MappedFile(std::string path) : path_(std::move(path)) {}

  std::string path_;
  void* data_ = nullptr;  // null for an empty file
  size_t size_ = 0;
};

}  // namespace tserve::engine

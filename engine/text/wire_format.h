// A minimal reader of the protobuf wire format, enough to read a SentencePiece
// model file without a protobuf library (Debian's libsentencepiece carries its own
// protobuf, which cannot live in one process with the one gRPC uses).
#ifndef TSERVE_ENGINE_TEXT_WIRE_FORMAT_H_
#define TSERVE_ENGINE_TEXT_WIRE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tserve::engine::wire {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,  // deprecated groups: refused
  kEndGroup = 4,
  kFixed32 = 5,
};

std::string_view WireTypeName(WireType type);

// One field as it appears on the wire; the payload is decoded by its accessors.
struct Field {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t varint = 0;     // kVarint
  uint64_t fixed = 0;      // kFixed64, kFixed32 (low 32 bits)
  std::string_view bytes;  // kLengthDelimited: points into the message
  size_t offset = 0;       // byte offset of the field's tag, for error messages
};

// Reads the fields of one message in order. Every read is bounds-checked; a
// truncated or garbled message yields INVALID_ARGUMENT naming the byte offset.
class MessageReader {
 public:
  // `message` must outlive the reader.
  explicit MessageReader(std::string_view message) : data_(message) {}

  bool done() const { return pos_ >= data_.size(); }
  // Reads the next field. Precondition: !done().
  absl::StatusOr<Field> Next();

 private:
  absl::StatusOr<uint64_t> ReadVarint(std::string_view what);
  absl::StatusOr<uint64_t> ReadFixed(size_t width, std::string_view what);

  std::string_view data_;
  size_t pos_ = 0;
};

// Typed views of a field; each fails when the field has another wire type than its
// declared type has, with a message naming `name`.
absl::Status ExpectType(const Field& field, WireType expected, std::string_view name);
absl::StatusOr<bool> AsBool(const Field& field, std::string_view name);
absl::StatusOr<int32_t> AsInt32(const Field& field, std::string_view name);
absl::StatusOr<float> AsFloat(const Field& field, std::string_view name);
absl::StatusOr<std::string_view> AsBytes(const Field& field, std::string_view name);

}  // namespace tserve::engine::wire

#endif  // TSERVE_ENGINE_TEXT_WIRE_FORMAT_H_

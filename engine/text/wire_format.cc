#include "engine/text/wire_format.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_format.h"

namespace tserve::engine::wire {
namespace {

constexpr size_t kMaxVarintBytes = 10;  // 64 bits, 7 per byte

}  // namespace

std::string_view WireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "64-bit";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kStartGroup:
      return "start-group";
    case WireType::kEndGroup:
      return "end-group";
    case WireType::kFixed32:
      return "32-bit";
  }
  return "unknown";
}

absl::StatusOr<uint64_t> MessageReader::ReadVarint(std::string_view what) {
  const size_t start = pos_;
  uint64_t value = 0;
  for (size_t i = 0; i < kMaxVarintBytes; ++i) {
    if (pos_ >= data_.size()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("truncated varint (%s) at byte %d", what, start));
    }
    const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return value;
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("varint (%s) at byte %d is longer than 10 bytes", what, start));
}

absl::StatusOr<uint64_t> MessageReader::ReadFixed(size_t width, std::string_view what) {
  if (data_.size() - pos_ < width) {
    return absl::InvalidArgumentError(
        absl::StrFormat("truncated %d-bit value (%s) at byte %d: %d bytes left", 8 * width, what,
                        pos_, data_.size() - pos_));
  }
  // The wire format is little-endian, as is every machine this builds for.
  static_assert(std::endian::native == std::endian::little);
  uint64_t value = 0;
  std::memcpy(&value, data_.data() + pos_, width);
  pos_ += width;
  return value;
}

absl::StatusOr<Field> MessageReader::Next() {
  Field field;
  field.offset = pos_;
  absl::StatusOr<uint64_t> tag = ReadVarint("field tag");
  if (!tag.ok()) return tag.status();
  const uint64_t number = *tag >> 3;
  if (number == 0 || number > 0x1fffffff) {
    return absl::InvalidArgumentError(
        absl::StrFormat("invalid field number %d at byte %d", number, field.offset));
  }
  field.number = static_cast<uint32_t>(number);
  field.type = static_cast<WireType>(*tag & 7);
  const std::string what = absl::StrFormat("field %d", field.number);
  switch (field.type) {
    case WireType::kVarint: {
      absl::StatusOr<uint64_t> v = ReadVarint(what);
      if (!v.ok()) return v.status();
      field.varint = *v;
      return field;
    }
    case WireType::kFixed64:
    case WireType::kFixed32: {
      absl::StatusOr<uint64_t> v = ReadFixed(field.type == WireType::kFixed64 ? 8 : 4, what);
      if (!v.ok()) return v.status();
      field.fixed = *v;
      return field;
    }
    case WireType::kLengthDelimited: {
      absl::StatusOr<uint64_t> length = ReadVarint(what + " length");
      if (!length.ok()) return length.status();
      if (*length > data_.size() - pos_) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s at byte %d has length %d but only %d bytes are left", what,
                            field.offset, *length, data_.size() - pos_));
      }
      field.bytes = data_.substr(pos_, static_cast<size_t>(*length));
      pos_ += static_cast<size_t>(*length);
      return field;
    }
    case WireType::kStartGroup:
    case WireType::kEndGroup:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("%s at byte %d has unsupported wire type %d", what, field.offset, *tag & 7));
}

absl::Status ExpectType(const Field& field, WireType expected, std::string_view name) {
  if (field.type == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("field %s (%d) at byte %d has wire type %s, expected %s", name, field.number,
                      field.offset, WireTypeName(field.type), WireTypeName(expected)));
}

absl::StatusOr<bool> AsBool(const Field& field, std::string_view name) {
  if (absl::Status s = ExpectType(field, WireType::kVarint, name); !s.ok()) return s;
  return field.varint != 0;
}

absl::StatusOr<int32_t> AsInt32(const Field& field, std::string_view name) {
  if (absl::Status s = ExpectType(field, WireType::kVarint, name); !s.ok()) return s;
  // int32 keeps the low 32 bits; negative values are sign-extended to 64 on the wire.
  return static_cast<int32_t>(static_cast<uint32_t>(field.varint));
}

absl::StatusOr<float> AsFloat(const Field& field, std::string_view name) {
  if (absl::Status s = ExpectType(field, WireType::kFixed32, name); !s.ok()) return s;
  return std::bit_cast<float>(static_cast<uint32_t>(field.fixed));
}

absl::StatusOr<std::string_view> AsBytes(const Field& field, std::string_view name) {
  if (absl::Status s = ExpectType(field, WireType::kLengthDelimited, name); !s.ok()) return s;
  return field.bytes;
}

}  // namespace tserve::engine::wire

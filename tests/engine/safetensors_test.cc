#include "engine/model/safetensors.h"

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The 8-byte little-endian length prefix followed by `header` and `data`.
std::string Image(std::string_view header, std::string_view data = "",
                  std::optional<uint64_t> header_len = std::nullopt) {
  uint64_t n = header_len.value_or(header.size());
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  out.append(header);
  out.append(data);
  return out;
}

template <typename T>
std::string Bytes(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

struct Tensor {
  std::string name;
  std::string dtype;
  std::string shape;  // JSON array text
  std::string data;
};

// A valid file holding `tensors` back to back in the given order.
std::string Build(const std::vector<Tensor>& tensors, const std::string& metadata = "") {
  std::string header = "{";
  std::string data;
  if (!metadata.empty()) absl::StrAppend(&header, "\"__metadata__\": ", metadata);
  for (const Tensor& t : tensors) {
    if (header.size() > 1) header += ", ";
    absl::StrAppend(&header, "\"", t.name, "\": {\"dtype\": \"", t.dtype,
                    "\", \"shape\": ", t.shape, ", \"data_offsets\": [", data.size(), ", ",
                    data.size() + t.data.size(), "]}");
    data += t.data;
  }
  header += "}";
  return Image(header, data);
}

absl::Status ParseError(const std::string& image) {
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::FromBytes(image);
  EXPECT_FALSE(f.ok()) << "parsed an invalid file";
  return f.status();
}

// An entry with the given JSON body placed over 16 bytes of data.
std::string OneEntry(const std::string& entry_json) {
  return Image(absl::StrCat("{\"t\": ", entry_json, "}"), std::string(16, '\0'));
}

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "/safetensors_test_", getpid(), "_", name);
}

TEST(SafetensorsTest, F32RoundTripWithMetadata) {
  const std::vector<float> values = {1.5f, -2.25f, 0.0f, 3e-40f, 1e30f, -7.0f};
  const std::string image =
      Build({{"w", "F32", "[2, 3]", Bytes(values)}}, R"({"format": "pt", "note": "x"})");
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::FromBytes(image);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ((*f)->tensors().size(), 1u);
  const TensorEntry* w = (*f)->Find("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dtype, "F32");
  EXPECT_THAT(w->shape, ElementsAre(2, 3));
  EXPECT_EQ(w->nbytes, 24u);
  EXPECT_EQ(w->num_elements, 6);
  EXPECT_EQ((*f)->Find("v"), nullptr);
  EXPECT_EQ((*f)->metadata().at("format"), "pt");
  EXPECT_EQ((*f)->metadata().at("note"), "x");

  absl::StatusOr<std::vector<float>> read = (*f)->ReadFloat32("w", {2, 3});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, values);
  std::vector<float> out(6);
  ASSERT_TRUE((*f)->ReadFloat32("w", {2, 3}, out.data()).ok());
  EXPECT_EQ(out, values);
}

TEST(SafetensorsTest, F16ConvertsNormalsSubnormalsInfinitiesAndNaN) {
  const std::vector<uint16_t> bits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x8000,
                                      0x7C00, 0xFC00, 0x7E00, 0x3555, 0x0400};
  const std::string image = Build({{"h", "F16", "[11]", Bytes(bits)}});
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::FromBytes(image);
  ASSERT_TRUE(f.ok()) << f.status();
  absl::StatusOr<std::vector<float>> v = (*f)->ReadFloat32("h", {11});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)[0], 1.0f);
  EXPECT_EQ((*v)[1], -2.0f);
  EXPECT_EQ((*v)[2], 65504.0f);
  EXPECT_EQ((*v)[3], std::ldexp(1.0f, -24));                 // smallest subnormal
  EXPECT_EQ((*v)[4], std::ldexp(1023.0f, -24));              // largest subnormal
  EXPECT_EQ(std::bit_cast<uint32_t>((*v)[5]), 0x80000000u);  // -0.0 keeps its sign
  EXPECT_EQ((*v)[6], std::numeric_limits<float>::infinity());
  EXPECT_EQ((*v)[7], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan((*v)[8]));
  EXPECT_EQ((*v)[9], 0.333251953125f);
  EXPECT_EQ((*v)[10], std::ldexp(1.0f, -14));  // smallest normal
}

TEST(SafetensorsTest, BF16ConvertsNormalsSubnormalsInfinitiesAndNaN) {
  const std::vector<uint16_t> bits = {0x3F80, 0xC040, 0x0001, 0x7F80, 0xFF80, 0x7FC0, 0x3EAB};
  const std::string image = Build({{"b", "BF16", "[7]", Bytes(bits)}});
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::FromBytes(image);
  ASSERT_TRUE(f.ok()) << f.status();
  absl::StatusOr<std::vector<float>> v = (*f)->ReadFloat32("b", {7});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)[0], 1.0f);
  EXPECT_EQ((*v)[1], -3.0f);
  EXPECT_EQ((*v)[2], std::ldexp(1.0f, -133));  // smallest subnormal
  EXPECT_EQ((*v)[3], std::numeric_limits<float>::infinity());
  EXPECT_EQ((*v)[4], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan((*v)[5]));
  EXPECT_EQ((*v)[6], 0.333984375f);
}

TEST(SafetensorsTest, HalfToFloatMatchesEveryFiniteValue) {
  // Each finite half is sign * mantissa * 2^exponent exactly; compare all 63488 of them.
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const uint32_t exponent = (b >> 10) & 0x1f;
    if (exponent == 0x1f) continue;
    const uint32_t mantissa = b & 0x3ff;
    float expected = exponent == 0 ? std::ldexp(static_cast<float>(mantissa), -24)
                                   : std::ldexp(static_cast<float>(mantissa + 1024),
                                                static_cast<int>(exponent) - 25);
    if (b & 0x8000) expected = -expected;
    ASSERT_EQ(HalfToFloat(static_cast<uint16_t>(b)), expected) << "bits " << b;
  }
}

TEST(SafetensorsTest, AcceptsEveryDtypeScalarsAndEmptyTensors) {
  const std::string image = Build({
      {"bool", "BOOL", "[2]", std::string(2, '\1')},
      {"u8", "U8", "[1]", "x"},
      {"i16", "I16", "[1]", std::string(2, '\0')},
      {"i64", "I64", "[2]", std::string(16, '\0')},
      {"f64", "F64", "[]", std::string(8, '\0')},
      {"empty", "F32", "[0, 4]", ""},
      {"scalar", "F32", "[]", Bytes(std::vector<float>{2.5f})},
  });
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::FromBytes(image);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->tensors().size(), 7u);
  EXPECT_EQ((*f)->Find("i64")->nbytes, 16u);
  absl::StatusOr<std::vector<float>> scalar = (*f)->ReadFloat32("scalar", {});
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_THAT(*scalar, ElementsAre(2.5f));
  absl::StatusOr<std::vector<float>> empty = (*f)->ReadFloat32("empty", {0, 4});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
}

TEST(SafetensorsTest, OpenMapsFileAndReadsUnalignedData) {
  // A 3-byte header puts the data at offset 11, so F32 values are not 4-byte aligned.
  const std::vector<float> values = {1.0f, 2.0f, 3.0f};
  std::string header = R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}})";
  while ((8 + header.size()) % 4 != 3) header += ' ';
  const std::string path = TempPath("unaligned.safetensors");
  {
    std::ofstream out(path, std::ios::binary);
    out << Image(header, Bytes(values));
  }
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->label(), path);
  absl::StatusOr<std::vector<float>> v = (*f)->ReadFloat32("a", {3});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, values);
  std::filesystem::remove(path);
}

TEST(SafetensorsTest, MissingFile) {
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f =
      SafetensorsFile::Open("/nonexistent/dir/model.safetensors");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(f.status().message(), HasSubstr("/nonexistent/dir/model.safetensors"));
}

TEST(SafetensorsTest, EmptyFileAndDirectory) {
  const std::string path = TempPath("empty.safetensors");
  { std::ofstream out(path, std::ios::binary); }
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::Open(path);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr(path));
  EXPECT_THAT(f.status().message(), HasSubstr("file is 0 bytes"));
  std::filesystem::remove(path);

  f = SafetensorsFile::Open(::testing::TempDir());
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr("not a regular file"));
}

TEST(SafetensorsTest, TruncatedFile) {
  absl::Status s = ParseError("abc");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("file is 3 bytes, shorter than the 8-byte header length"));
  // A valid file cut inside its data section.
  std::string image = Build({{"w", "F32", "[4]", std::string(16, '\0')}});
  image.resize(image.size() - 5);
  EXPECT_THAT(ParseError(image).message(), HasSubstr("go past the end of the data section"));
}

TEST(SafetensorsTest, HeaderLengthPastEndOfFile) {
  EXPECT_THAT(ParseError(Image("{}", "", 1000)).message(),
              HasSubstr("header length 1000 goes past the end of the file (10 bytes)"));
  EXPECT_THAT(ParseError(Image("{}", "", uint64_t{1} << 62)).message(),
              HasSubstr("exceeds the 100000000-byte limit"));
  EXPECT_THAT(ParseError(Image("{}", "", ~uint64_t{0})).message(), HasSubstr("exceeds"));
}

TEST(SafetensorsTest, GarbledHeaderJson) {
  absl::Status s = ParseError(Image(R"({"w": {"dtype": "F32", "shape": [1)"));
  EXPECT_THAT(s.message(), HasSubstr("<memory>: header is not valid JSON"));
  EXPECT_THAT(s.message(), HasSubstr("invalid JSON at byte"));
  EXPECT_THAT(ParseError(Image("{\"a\xff\": 1}")).message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseError(Image("[1, 2]")).message(),
              HasSubstr("header must be a JSON object, got array"));
  EXPECT_THAT(ParseError(Image("")).message(), HasSubstr("not valid JSON"));
}

TEST(SafetensorsTest, EntriesWithMissingOrMistypedFields) {
  EXPECT_THAT(ParseError(OneEntry("[]")).message(),
              HasSubstr("tensor 't': entry must be an object, got array"));
  EXPECT_THAT(ParseError(OneEntry(R"({"shape": [1], "data_offsets": [0, 4]})")).message(),
              HasSubstr("tensor 't': missing 'dtype'"));
  EXPECT_THAT(ParseError(OneEntry(R"({"dtype": "F32", "data_offsets": [0, 4]})")).message(),
              HasSubstr("missing 'shape'"));
  EXPECT_THAT(ParseError(OneEntry(R"({"dtype": "F32", "shape": [1]})")).message(),
              HasSubstr("missing 'data_offsets'"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": 1, "shape": [1], "data_offsets": [0, 4]})")).message(),
      HasSubstr("'dtype' must be a string, got integer"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": 4, "data_offsets": [0, 16]})")).message(),
      HasSubstr("'shape' must be an array, got integer"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]})")).message(),
      HasSubstr("shape dimensions must be integers, got float"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [1], "data_offsets": [0]})")).message(),
      HasSubstr("'data_offsets' must be [begin, end]"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]})")).message(),
      HasSubstr("'data_offsets' must be [begin, end]"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [1], "data_offsets": "0-4"})")).message(),
      HasSubstr("'data_offsets' must be [begin, end]"));
}

TEST(SafetensorsTest, UnknownDtype) {
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F128", "shape": [1], "data_offsets": [0, 16]})")).message(),
      HasSubstr("tensor 't': unknown dtype 'F128'"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "f32", "shape": [4], "data_offsets": [0, 16]})")).message(),
      HasSubstr("unknown dtype 'f32'"));
}

TEST(SafetensorsTest, NegativeDimsAndShapeOverflow) {
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [-2, -2], "data_offsets": [0, 16]})"))
          .message(),
      HasSubstr("tensor 't': negative dimension -2 in shape"));
  // 2^32 * 2^32 wraps to 0 in 64 bits; so does 2^62 * 4 bytes.
  EXPECT_THAT(ParseError(OneEntry(R"({"dtype": "F32", "shape": [4294967296, 4294967296, 0],
                                     "data_offsets": [0, 0]})"))
                  .message(),
              HasSubstr("has too many elements"));
  EXPECT_THAT(ParseError(OneEntry(R"({"dtype": "F32", "shape": [4611686018427387904],
                                     "data_offsets": [0, 0]})"))
                  .message(),
              HasSubstr("has too many elements"));
  EXPECT_THAT(ParseError(OneEntry(R"({"dtype": "U8", "shape": [18446744073709551615],
                                     "data_offsets": [0, 16]})"))
                  .message(),
              HasSubstr("is too large"));
}

TEST(SafetensorsTest, OffsetsOutOfRangeOrReversed) {
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [4], "data_offsets": [4, 20]})")).message(),
      HasSubstr("tensor 't': data_offsets [4, 20] go past the end of the data section (16 bytes)"));
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [1], "data_offsets": [8, 4]})")).message(),
      HasSubstr("data_offsets [8, 4] end before they begin"));
  EXPECT_THAT(ParseError(OneEntry(R"({"dtype": "F32", "shape": [1],
                                     "data_offsets": [18446744073709551615, 4]})"))
                  .message(),
              HasSubstr("end before they begin"));
}

TEST(SafetensorsTest, MisSizedTensor) {
  EXPECT_THAT(
      ParseError(OneEntry(R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 8]})")).message(),
      HasSubstr("tensor 't': data_offsets [0, 8] hold 8 bytes but F32 shape [3] needs 12"));
}

TEST(SafetensorsTest, OverlappingTensors) {
  const std::string image =
      Image(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
            R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
            std::string(12, '\0'));
  EXPECT_THAT(ParseError(image).message(),
              HasSubstr("tensors 'a' (bytes [0, 8]) and 'b' (bytes [4, 12]) overlap"));
  // A zero-byte tensor inside another one shares no bytes.
  const std::string ok = Image(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                               R"( "b": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}})",
                               std::string(8, '\0'));
  EXPECT_TRUE(SafetensorsFile::FromBytes(ok).ok());
}

TEST(SafetensorsTest, DuplicateTensorName) {
  const std::string image = Image(R"({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},)"
                                  R"( "a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}})",
                                  "xy");
  EXPECT_THAT(ParseError(image).message(), HasSubstr("tensor 'a' appears twice"));
}

TEST(SafetensorsTest, MetadataMustBeAnObjectOfStrings) {
  EXPECT_THAT(ParseError(Image(R"({"__metadata__": ["pt"]})")).message(),
              HasSubstr("'__metadata__' must be an object, got array"));
  EXPECT_THAT(ParseError(Image(R"({"__metadata__": {"format": 1}})")).message(),
              HasSubstr("'__metadata__' value of 'format' must be a string, got integer"));
}

TEST(SafetensorsTest, ReadFloat32WrongDtype) {
  const std::string image = Build({{"ids", "I64", "[2]", std::string(16, '\0')}});
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::FromBytes(image);
  ASSERT_TRUE(f.ok()) << f.status();
  absl::StatusOr<std::vector<float>> v = (*f)->ReadFloat32("ids", {2});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(),
              HasSubstr("tensor 'ids' has dtype I64; expected F32, F16 or BF16"));
}

TEST(SafetensorsTest, ReadFloat32WrongShapeOrAbsent) {
  const std::string image =
      Build({{"model.shared.weight", "F16", "[100, 48]", std::string(100 * 48 * 2, '\0')}});
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> f = SafetensorsFile::FromBytes(image);
  ASSERT_TRUE(f.ok()) << f.status();
  absl::StatusOr<std::vector<float>> v = (*f)->ReadFloat32("model.shared.weight", {120, 48});
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(),
              HasSubstr("tensor 'model.shared.weight' has shape [100, 48]; expected [120, 48]"));
  v = (*f)->ReadFloat32("model.shared.weight", {100, 48, 1});
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("expected [100, 48, 1]"));

  v = (*f)->ReadFloat32("lm_head.weight", {100, 48});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(v.status().message(), HasSubstr("tensor 'lm_head.weight' not found"));
}

TEST(SafetensorsTest, StorageTypeNames) {
  EXPECT_EQ(StorageTypeName(StorageType::kF32), "F32");
  EXPECT_EQ(StorageTypeName(StorageType::kF16), "F16");
  EXPECT_EQ(StorageTypeName(StorageType::kBF16), "BF16");
  EXPECT_EQ(ParseStorageType("BF16"), StorageType::kBF16);
  EXPECT_EQ(ParseStorageType("I64"), std::nullopt);
  EXPECT_EQ(DtypeSize("I64"), 8u);
  EXPECT_EQ(DtypeSize("X"), std::nullopt);
}

}  // namespace
}  // namespace tserve::engine

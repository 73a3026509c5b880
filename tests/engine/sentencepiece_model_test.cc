// The SentencePiece model reader: the protobuf wire format, the model checks done at
// load time, and the precompiled normalization rules, each with broken input.
#include "engine/text/sentencepiece_model.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/text/precompiled_charsmap.h"
#include "engine/text/sentencepiece.h"
#include "engine/text/wire_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::engine::spm {
namespace {

using ::testing::HasSubstr;

// A protobuf message written field by field.
class Message {
 public:
  Message& Varint(uint32_t field, uint64_t value) {
    Tag(field, 0);
    AppendVarint(value);
    return *this;
  }
  Message& Float(uint32_t field, float value) {
    Tag(field, 5);
    char bytes[4];
    std::memcpy(bytes, &value, 4);
    out_.append(bytes, 4);
    return *this;
  }
  Message& Fixed64(uint32_t field, uint64_t value) {
    Tag(field, 1);
    char bytes[8];
    std::memcpy(bytes, &value, 8);
    out_.append(bytes, 8);
    return *this;
  }
  Message& Bytes(uint32_t field, const std::string& value) {
    Tag(field, 2);
    AppendVarint(value.size());
    out_ += value;
    return *this;
  }
  Message& Raw(const std::string& bytes) {
    out_ += bytes;
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  void Tag(uint32_t field, uint32_t wire_type) { AppendVarint(field << 3 | wire_type); }
  void AppendVarint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>(v | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  std::string out_;
};

std::string PieceMessage(const std::string& piece, float score, PieceType type) {
  return Message().Bytes(1, piece).Float(2, score).Varint(3, static_cast<uint64_t>(type)).str();
}

// A valid unigram model: <unk>, </s> and a few pieces, with unknown fields sprinkled in.
Message SmallModel() {
  Message m;
  m.Bytes(1, PieceMessage("<unk>", 0, PieceType::kUnknown));
  m.Bytes(1, PieceMessage("</s>", 0, PieceType::kControl));
  m.Bytes(1, PieceMessage("\xE2\x96\x81"
                          "ab",
                          -1.0f, PieceType::kNormal));
  m.Bytes(1, Message().Bytes(1, "a").Float(2, -2.0f).Fixed64(99, 7).str());  // type NORMAL
  m.Bytes(1, PieceMessage("b", -2.5f, PieceType::kNormal));
  m.Bytes(1, PieceMessage("\xE2\x96\x81", -3.0f, PieceType::kNormal));
  m.Bytes(2, Message().Varint(3, 1).Varint(40, 0).Bytes(2, "prefix").Varint(16, 4).str());
  m.Bytes(3, Message().Bytes(1, "identity").str());
  m.Varint(77, 12345);  // an unknown field of ModelProto
  return m;
}

TEST(WireFormatTest, ReadsEveryWireType) {
  const std::string bytes =
      Message().Varint(1, 300).Fixed64(2, 0x0102030405060708).Bytes(3, "xyz").Float(4, 1.5f).str();
  wire::MessageReader reader(bytes);
  std::vector<wire::Field> fields;
  while (!reader.done()) {
    absl::StatusOr<wire::Field> f = reader.Next();
    ASSERT_TRUE(f.ok()) << f.status();
    fields.push_back(*f);
  }
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].number, 1u);
  EXPECT_EQ(fields[0].varint, 300u);
  EXPECT_EQ(fields[1].fixed, 0x0102030405060708u);
  EXPECT_EQ(fields[2].bytes, "xyz");
  EXPECT_EQ(*wire::AsFloat(fields[3], "f"), 1.5f);
  EXPECT_EQ(*wire::AsInt32(fields[0], "n"), 300);
}

TEST(WireFormatTest, NegativeInt32IsSignExtended) {
  const std::string bytes = Message().Varint(40, static_cast<uint64_t>(int64_t{-1})).str();
  wire::MessageReader reader(bytes);
  absl::StatusOr<wire::Field> f = reader.Next();
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*wire::AsInt32(*f, "unk_id"), -1);
  EXPECT_TRUE(reader.done());
}

TEST(WireFormatTest, TruncatedVarint) {
  const std::string bytes = Message().Varint(1, 300).str();
  // The reader views its input: the truncated copy must outlive it.
  const std::string truncated = bytes.substr(0, bytes.size() - 1);
  wire::MessageReader reader(truncated);
  absl::StatusOr<wire::Field> f = reader.Next();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("truncated varint (field 1) at byte 1"));

  const std::string tag_bytes("\x88", 1);
  wire::MessageReader tag_only(tag_bytes);
  EXPECT_THAT(tag_only.Next().status().message(), HasSubstr("truncated varint (field tag)"));
}

TEST(WireFormatTest, OverlongVarint) {
  const std::string bytes = std::string("\x08") + std::string(11, '\xff');
  wire::MessageReader reader(bytes);
  EXPECT_THAT(reader.Next().status().message(), HasSubstr("longer than 10 bytes"));
}

TEST(WireFormatTest, LengthPastEnd) {
  const std::string bytes = Message().Bytes(3, "hello").str();
  const std::string truncated = bytes.substr(0, bytes.size() - 2);
  wire::MessageReader reader(truncated);
  absl::StatusOr<wire::Field> f = reader.Next();
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(),
              HasSubstr("field 3 at byte 0 has length 5 but only 3 bytes are left"));
}

TEST(WireFormatTest, TruncatedFixedValues) {
  const std::string float_bytes = Message().Float(2, 1.0f).str().substr(0, 3);
  wire::MessageReader reader32(float_bytes);
  EXPECT_THAT(reader32.Next().status().message(),
              HasSubstr("truncated 32-bit value (field 2) at byte 1: 2 bytes left"));
  const std::string fixed64_bytes = Message().Fixed64(2, 1).str().substr(0, 8);
  wire::MessageReader reader64(fixed64_bytes);
  EXPECT_THAT(reader64.Next().status().message(), HasSubstr("truncated 64-bit value"));
}

TEST(WireFormatTest, GroupsAndFieldZeroAreRefused) {
  const std::string group_bytes("\x0b", 1);  // field 1, start group
  wire::MessageReader group(group_bytes);
  EXPECT_THAT(group.Next().status().message(), HasSubstr("unsupported wire type 3"));
  const std::string zero_bytes("\x00\x01", 2);
  wire::MessageReader zero(zero_bytes);
  EXPECT_THAT(zero.Next().status().message(), HasSubstr("invalid field number 0"));
}

TEST(WireFormatTest, WrongWireTypeForKnownField) {
  // score (field 2 of a piece) as a varint instead of a 32-bit float.
  Message m = SmallModel();
  m.Bytes(1, Message().Bytes(1, "c").Varint(2, 3).str());
  absl::StatusOr<ModelProto> model = ParseModelProto(m.str());
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("in piece 6"));
  EXPECT_THAT(model.status().message(),
              HasSubstr("field score (2) at byte 3 has wire type varint, expected 32-bit"));

  // normalizer_spec as a varint.
  absl::StatusOr<ModelProto> spec = ParseModelProto(Message().Varint(3, 1).str());
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(),
              HasSubstr("field normalizer_spec (3) at byte 0 has wire type varint, expected "
                        "length-delimited"));
}

TEST(SentencePieceModelTest, ParsesPiecesAndSpecsWithDefaults) {
  absl::StatusOr<ModelProto> model = ParseModelProto(SmallModel().str());
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_EQ(model->pieces.size(), 6u);
  EXPECT_EQ(model->pieces[0].type, PieceType::kUnknown);
  EXPECT_EQ(model->pieces[3].piece, "a");
  EXPECT_EQ(model->pieces[3].type, PieceType::kNormal);
  EXPECT_EQ(model->pieces[4].score, -2.5f);
  EXPECT_EQ(model->trainer_spec.model_type, ModelType::kUnigram);
  EXPECT_EQ(model->trainer_spec.unk_surface, " \xE2\x81\x87 ");
  EXPECT_EQ(model->trainer_spec.pad_id, -1);
  EXPECT_EQ(model->normalizer_spec.name, "identity");
  EXPECT_TRUE(model->normalizer_spec.add_dummy_prefix);
  EXPECT_TRUE(model->normalizer_spec.remove_extra_whitespaces);
  EXPECT_TRUE(model->normalizer_spec.escape_whitespaces);
  EXPECT_FALSE(model->denormalizer_spec.has_value());

  // A second normalizer_spec is merged into the first, as protobuf merges messages.
  Message more = SmallModel();
  more.Bytes(3, Message().Varint(3, 0).str());
  model = ParseModelProto(more.str());
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->normalizer_spec.name, "identity");
  EXPECT_FALSE(model->normalizer_spec.add_dummy_prefix);
}

TEST(SentencePieceModelTest, EncodesAndDecodesASmallModel) {
  absl::StatusOr<std::unique_ptr<Processor>> p = Processor::FromBytes(SmallModel().str());
  ASSERT_TRUE(p.ok()) << p.status();
  // "▁ab" (-1) beats "▁"+"a"+"b" (-7.5); "€" and "ß" are one unknown run.
  EXPECT_EQ((*p)->Encode("  ab  ab€ß a "),
            (std::vector<std::string>{"\xE2\x96\x81"
                                      "ab",
                                      "\xE2\x96\x81"
                                      "ab",
                                      "\xE2\x82\xAC\xC3\x9F", "\xE2\x96\x81", "a"}));
  EXPECT_EQ((*p)->Decode({"\xE2\x96\x81"
                          "ab",
                          "</s>", "<unk>", "\xE2\x96\x81", "a"}),
            "ab \xE2\x81\x87  a");
  EXPECT_EQ((*p)->PieceToId("b"), 4);
  EXPECT_EQ((*p)->PieceToId("zz"), 0);
}

TEST(SentencePieceModelTest, RefusesOtherModelTypes) {
  Message m = SmallModel();
  m.Bytes(2, Message().Varint(3, 3).str());
  absl::StatusOr<std::unique_ptr<Processor>> p = Processor::FromBytes(m.str());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(p.status().message(), HasSubstr("model type WORD is not supported"));
  Message chars = SmallModel();
  chars.Bytes(2, Message().Varint(3, 4).str());
  EXPECT_THAT(Processor::FromBytes(chars.str()).status().message(),
              HasSubstr("model type CHAR is not supported"));
  Message bpe = SmallModel();
  bpe.Bytes(2, Message().Varint(3, 2).str());
  EXPECT_TRUE(Processor::FromBytes(bpe.str()).ok());

  Message bad = SmallModel();
  bad.Bytes(2, Message().Varint(3, 9).str());
  EXPECT_THAT(Processor::FromBytes(bad.str()).status().message(),
              HasSubstr("unknown model type 9"));
}

TEST(SentencePieceModelTest, RefusesInconsistentPieces) {
  Message no_unk;
  no_unk.Bytes(1, PieceMessage("a", -1, PieceType::kNormal));
  EXPECT_THAT(Processor::FromBytes(no_unk.str()).status().message(), HasSubstr("no UNKNOWN piece"));

  Message twice = SmallModel();
  twice.Bytes(1, PieceMessage("b", -1, PieceType::kNormal));
  EXPECT_THAT(Processor::FromBytes(twice.str()).status().message(),
              HasSubstr("piece 6 'b' is defined twice"));

  Message empty = SmallModel();
  empty.Bytes(1, PieceMessage("", -1, PieceType::kNormal));
  EXPECT_THAT(Processor::FromBytes(empty.str()).status().message(), HasSubstr("piece 6 is empty"));

  Message two_unk = SmallModel();
  two_unk.Bytes(1, PieceMessage("<unk2>", 0, PieceType::kUnknown));
  EXPECT_THAT(Processor::FromBytes(two_unk.str()).status().message(),
              HasSubstr("pieces 0 and 6 are both UNKNOWN"));

  Message byte = SmallModel();
  byte.Bytes(1, PieceMessage("<0x41>", 0, PieceType::kByte));
  EXPECT_THAT(Processor::FromBytes(byte.str()).status().message(),
              HasSubstr("byte piece '<0x41>' in a model without byte_fallback"));
  byte.Bytes(2, Message().Varint(35, 1).str());
  EXPECT_THAT(Processor::FromBytes(byte.str()).status().message(),
              HasSubstr("there is no byte piece '<0x00>'"));

  Message type = SmallModel();
  type.Bytes(1, PieceMessage("c", 0, static_cast<PieceType>(7)));
  EXPECT_THAT(Processor::FromBytes(type.str()).status().message(),
              HasSubstr("unknown piece type 7"));
}

TEST(SentencePieceModelTest, LoadNamesThePath) {
  absl::StatusOr<std::unique_ptr<Processor>> p = Processor::Load("/nonexistent/source.spm");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(p.status().message(), HasSubstr("/nonexistent/source.spm"));
}

TEST(PrecompiledCharsmapTest, BrokenBlobs) {
  EXPECT_THAT(PrecompiledCharsmap::Parse("abc").status().message(), HasSubstr("too few"));
  std::string blob(4, '\0');
  const uint32_t size = 100;
  std::memcpy(blob.data(), &size, 4);
  blob += "12345678";
  EXPECT_THAT(PrecompiledCharsmap::Parse(blob).status().message(),
              HasSubstr("declares a 100-byte trie but has only 8 bytes"));

  Message m = SmallModel();
  m.Bytes(3, Message().Bytes(2, "ab").str());
  EXPECT_THAT(Processor::FromBytes(m.str()).status().message(),
              HasSubstr("normalizer 'identity': precompiled_charsmap has 2 bytes"));
}

TEST(PrecompiledCharsmapTest, GarbageTrieNeverReadsOutside) {
  // Units whose offsets and values point anywhere: lookups must stay in bounds
  // (ASan checks) and end without a match or with one inside the strings.
  std::string blob(4, '\0');
  const uint32_t size = 16;
  std::memcpy(blob.data(), &size, 4);
  const uint32_t units[4] = {0xffffffffu, 0x00000161u, 0x7fffff00u, 0x80000041u};
  blob.append(reinterpret_cast<const char*>(units), sizeof(units));
  blob += std::string("x\0yz", 4);
  absl::StatusOr<PrecompiledCharsmap> map = PrecompiledCharsmap::Parse(blob);
  ASSERT_TRUE(map.ok()) << map.status();
  for (int c = 0; c < 256; ++c) {
    const std::string text = {static_cast<char>(c), 'a', 'A'};
    if (auto match = map->LongestMatch(text)) {
      EXPECT_LE(match->length, text.size());
      EXPECT_LE(match->replacement.size(), 3u);
    }
  }
}

}  // namespace
}  // namespace tserve::engine::spm

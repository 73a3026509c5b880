#include "engine/model/pickle_reader.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/zip_archive.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Writes pickle opcodes as Python's pickler does for a state dict.
class Pickle {
 public:
  explicit Pickle(int protocol = 2) {
    out_ += '\x80';
    out_ += static_cast<char>(protocol);
  }
  Pickle& Op(char op) {
    out_ += op;
    return *this;
  }
  Pickle& Raw(std::string_view bytes) {
    out_ += bytes;
    return *this;
  }
  Pickle& Str(std::string_view s) {
    out_ += 'X';
    Put32(static_cast<uint32_t>(s.size()));
    out_ += s;
    return *this;
  }
  Pickle& Int(int32_t v) {
    out_ += 'J';
    Put32(static_cast<uint32_t>(v));
    return *this;
  }
  Pickle& Global(std::string_view module, std::string_view name) {
    out_ += 'c';
    out_.append(module).append("\n").append(name).append("\n");
    return *this;
  }
  Pickle& Ints(std::initializer_list<int32_t> values) {
    Op('(');
    for (int32_t v : values) Int(v);
    return Op('t');
  }
  // torch._utils._rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel),
  //                                 offset, shape, stride, False, OrderedDict())
  Pickle& Tensor(std::string_view storage_type, std::string_view key, int32_t numel, int32_t offset,
                 std::initializer_list<int32_t> shape, std::initializer_list<int32_t> stride) {
    Global("torch._utils", "_rebuild_tensor_v2").Op('(');
    Op('(').Str("storage").Global("torch", storage_type).Str(key).Str("cpu").Int(numel).Op('t');
    Op('Q').Int(offset).Ints(shape).Ints(stride).Op('\x89');
    Global("collections", "OrderedDict").Op(')').Op('R');
    return Op('t').Op('R');
  }
  std::string Stop() const { return out_ + "."; }

 private:
  void Put32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), 4); }
  std::string out_;
};

// {"a": <F32 tensor [2, 3] of storage "0">}
std::string OneTensor() {
  return Pickle()
      .Op('}')
      .Op('(')
      .Str("a")
      .Tensor("FloatStorage", "0", 6, 0, {2, 3}, {3, 1})
      .Op('u')
      .Stop();
}

absl::Status ParseError(const std::string& pickle) {
  absl::StatusOr<std::vector<PickledTensor>> tensors = ParseStateDictPickle(pickle);
  EXPECT_FALSE(tensors.ok()) << "parsed an invalid pickle";
  if (tensors.ok()) return absl::OkStatus();
  EXPECT_EQ(tensors.status().code(), absl::StatusCode::kInvalidArgument);
  return tensors.status();
}

std::string ReadFixturePickle(const std::string& dir) {
  const std::string path =
      std::string(TSERVE_SOURCE_DIR) + "/tests/data/checkpoints/" + dir + "/pytorch_model.bin";
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  static std::vector<std::string>* keep = new std::vector<std::string>();
  keep->push_back(ss.str());
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(keep->back(), path);
  EXPECT_TRUE(archive.ok()) << archive.status();
  if (!archive.ok()) return "";
  for (const ZipEntry& e : archive->entries()) {
    if (e.name.ends_with("/data.pkl")) return std::string(e.data);
  }
  ADD_FAILURE() << "no data.pkl in " << path;
  return "";
}

TEST(PickleReaderTest, OneTensor) {
  absl::StatusOr<std::vector<PickledTensor>> tensors = ParseStateDictPickle(OneTensor());
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  ASSERT_EQ(tensors->size(), 1u);
  const PickledTensor& t = (*tensors)[0];
  EXPECT_EQ(t.name, "a");
  EXPECT_EQ(t.storage_key, "0");
  EXPECT_EQ(t.dtype, "F32");
  EXPECT_EQ(t.storage_numel, 6);
  EXPECT_EQ(t.storage_offset, 0);
  EXPECT_THAT(t.shape, ElementsAre(2, 3));
  EXPECT_THAT(t.stride, ElementsAre(3, 1));
}

TEST(PickleReaderTest, TorchSaveFixture) {
  absl::StatusOr<std::vector<PickledTensor>> tensors =
      ParseStateDictPickle(ReadFixturePickle("torch"));
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  std::vector<std::string> names;
  for (const PickledTensor& t : *tensors) names.push_back(t.name);
  // In the dict's order, as saved.
  EXPECT_THAT(names, ElementsAre("model.shared.weight", "model.encoder.embed_tokens.weight",
                                 "model.decoder.embed_tokens.weight", "layer.half.weight",
                                 "layer.bf16.weight", "layer.offset.bias", "layer.scalar",
                                 "layer.vector", "layer.param", "embeddings.position_ids"));
  EXPECT_EQ((*tensors)[1].storage_key, (*tensors)[0].storage_key);
  EXPECT_EQ((*tensors)[2].storage_key, (*tensors)[0].storage_key);
  EXPECT_EQ((*tensors)[3].dtype, "F16");
  EXPECT_EQ((*tensors)[4].dtype, "BF16");
  EXPECT_EQ((*tensors)[5].storage_offset, 4);
  EXPECT_EQ((*tensors)[5].storage_numel, 10);
  EXPECT_TRUE((*tensors)[6].shape.empty());
  EXPECT_EQ((*tensors)[9].dtype, "I64");
}

TEST(PickleReaderTest, Protocol4GivesTheSameTensors) {
  absl::StatusOr<std::vector<PickledTensor>> v2 = ParseStateDictPickle(ReadFixturePickle("torch"));
  absl::StatusOr<std::vector<PickledTensor>> v4 =
      ParseStateDictPickle(ReadFixturePickle("torch-protocol4"));
  ASSERT_TRUE(v2.ok()) << v2.status();
  ASSERT_TRUE(v4.ok()) << v4.status();
  ASSERT_EQ(v2->size(), v4->size());
  for (size_t i = 0; i < v2->size(); ++i) {
    EXPECT_EQ((*v2)[i].name, (*v4)[i].name);
    EXPECT_EQ((*v2)[i].dtype, (*v4)[i].dtype);
    EXPECT_EQ((*v2)[i].shape, (*v4)[i].shape);
    EXPECT_EQ((*v2)[i].stride, (*v4)[i].stride);
    EXPECT_EQ((*v2)[i].storage_offset, (*v4)[i].storage_offset);
  }
}

TEST(PickleReaderTest, DisallowedGlobals) {
  const std::string posix = Pickle()
                                .Op('}')
                                .Str("w")
                                .Global("posix", "system")
                                .Str("id")
                                .Op('\x85')
                                .Op('R')
                                .Op('s')
                                .Stop();
  absl::Status s = ParseError(posix);
  EXPECT_THAT(s.message(), HasSubstr("global 'posix system' is not allowed: a state dict needs "
                                     "only collections.OrderedDict"));
  EXPECT_THAT(s.message(), HasSubstr("the checkpoint may try to run code"));
  EXPECT_THAT(s.message(), HasSubstr("at offset 9"));
  EXPECT_THAT(ParseError(Pickle().Global("builtins", "eval").Stop()).message(),
              HasSubstr("global 'builtins eval' is not allowed"));
  EXPECT_THAT(ParseError(Pickle().Global("__builtin__", "getattr").Stop()).message(),
              HasSubstr("global '__builtin__ getattr' is not allowed"));
  EXPECT_THAT(ParseError(Pickle().Global("torch", "ComplexFloatStorage").Stop()).message(),
              HasSubstr("global 'torch ComplexFloatStorage' is not allowed"));
  // STACK_GLOBAL (protocol 4) is checked the same way.
  EXPECT_THAT(ParseError(Pickle(4).Str("os").Str("system").Op('\x93').Stop()).message(),
              HasSubstr("global 'os system' is not allowed"));
  EXPECT_THAT(ParseError(Pickle(4).Int(1).Str("system").Op('\x93').Stop()).message(),
              HasSubstr("module and name must be strings"));
}

TEST(PickleReaderTest, RefusedOpcodes) {
  EXPECT_THAT(ParseError(Pickle().Raw("iposix\nsystem\n").Stop()).message(),
              HasSubstr("opcode INST (0x69 'i') at offset 2 is not allowed"));
  EXPECT_THAT(ParseError(Pickle().Op('N').Op('0').Stop()).message(),
              HasSubstr("opcode POP (0x30 '0') at offset 3 is not allowed"));
  EXPECT_THAT(ParseError(Pickle().Op('\x81').Stop()).message(), HasSubstr("NEWOBJ (0x81)"));
  EXPECT_THAT(ParseError(Pickle().Op('\xff').Stop()).message(),
              HasSubstr("opcode 0xff at offset 2 is not allowed"));
  EXPECT_THAT(ParseError(std::string("\x80\x06}.", 4)).message(),
              HasSubstr("unknown pickle protocol 6"));
}

TEST(PickleReaderTest, StreamErrors) {
  EXPECT_THAT(ParseError(Pickle().Op('}').Stop().substr(0, 3)).message(),
              HasSubstr("without a STOP opcode"));
  EXPECT_THAT(ParseError(Pickle().Stop()).message(), HasSubstr("stack underflow"));
  EXPECT_THAT(ParseError(Pickle().Raw("h\x05").Stop()).message(),
              HasSubstr("memo entry 5 was never stored"));
  EXPECT_THAT(ParseError(Pickle().Op('t').Stop()).message(), HasSubstr("no MARK before it"));
  EXPECT_THAT(ParseError(Pickle().Op('}').Op('(').Op('u').Op(')').Op('s').Stop()).message(),
              HasSubstr("stack underflow"));
  EXPECT_THAT(ParseError(Pickle().Raw("X\xff\xff\xff\x7f").Stop()).message(),
              HasSubstr("truncated: 2147483647 bytes of argument needed"));
  EXPECT_THAT(ParseError(Pickle().Op(']').Str("k").Int(1).Op('s').Stop()).message(),
              HasSubstr("items set on a list, not a dict"));
  EXPECT_THAT(ParseError(Pickle().Op('}').Int(1).Op('a').Stop()).message(),
              HasSubstr("appends to a dict, not a list"));
}

TEST(PickleReaderTest, EveryTruncationIsAnError) {
  const std::string full = ReadFixturePickle("torch-protocol4");
  ASSERT_FALSE(full.empty());
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(ParseStateDictPickle(full.substr(0, n)).ok()) << n;
  }
}

TEST(PickleReaderTest, NumbersAndStrings) {
  // LONG1 of -2 (0xfe), BININT1, BININT2, BINFLOAT, SHORT_BINUNICODE, BINUNICODE8,
  // SHORT_BINSTRING, BINSTRING, None, True in a list in a wrapper dict: all parsed,
  // then refused as not a state dict, which names the key.
  const std::string pickle = Pickle()
                                 .Op('}')
                                 .Str("numbers")
                                 .Op(']')
                                 .Op('(')
                                 .Raw("\x8a\x01\xfe")
                                 .Raw("K\x07")
                                 .Raw("M\x01\x02")
                                 .Raw(std::string("G\x3f\xf0\x00\x00\x00\x00\x00\x00", 9))
                                 .Raw("\x8c\x02hi")
                                 .Raw(std::string("\x8d\x01\x00\x00\x00\x00\x00\x00\x00x", 10))
                                 .Raw("U\x01y")
                                 .Raw(std::string("T\x01\x00\x00\x00z", 6))
                                 .Op('N')
                                 .Op('\x88')
                                 .Op('e')
                                 .Op('s')
                                 .Stop();
  EXPECT_THAT(ParseError(pickle).message(), HasSubstr("key 'numbers' holds a list, not a tensor"));
  EXPECT_THAT(ParseError(Pickle().Raw("\x8a\x09").Stop()).message(),
              HasSubstr("9-byte integer does not fit in 64 bits"));
}

TEST(PickleReaderTest, WrappedStateDictIsUnwrapped) {
  const std::string pickle = Pickle()
                                 .Op('}')
                                 .Op('(')
                                 .Str("epoch")
                                 .Int(3)
                                 .Str("state_dict")
                                 .Op('}')
                                 .Op('(')
                                 .Str("w")
                                 .Tensor("HalfStorage", "0", 4, 0, {4}, {1})
                                 .Op('u')
                                 .Op('u')
                                 .Stop();
  absl::StatusOr<std::vector<PickledTensor>> tensors = ParseStateDictPickle(pickle);
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  ASSERT_EQ(tensors->size(), 1u);
  EXPECT_EQ((*tensors)[0].name, "w");
  EXPECT_EQ((*tensors)[0].dtype, "F16");
}

TEST(PickleReaderTest, NotAStateDict) {
  EXPECT_THAT(ParseError(Pickle().Op(']').Stop()).message(),
              HasSubstr("the pickle holds a list, not a dict of tensors"));
  EXPECT_THAT(ParseError(Pickle().Op('}').Str("epoch").Int(3).Op('s').Stop()).message(),
              HasSubstr("key 'epoch' holds an int, not a tensor"));
  EXPECT_THAT(
      ParseError(Pickle().Op('}').Int(1).Tensor("FloatStorage", "0", 1, 0, {1}, {1}).Op('s').Stop())
          .message(),
      HasSubstr("the state dict has a key of type int"));
}

TEST(PickleReaderTest, LaterDuplicateWins) {
  const std::string pickle = Pickle()
                                 .Op('}')
                                 .Op('(')
                                 .Str("a")
                                 .Tensor("FloatStorage", "0", 1, 0, {1}, {1})
                                 .Str("b")
                                 .Tensor("FloatStorage", "1", 1, 0, {1}, {1})
                                 .Str("a")
                                 .Tensor("HalfStorage", "2", 1, 0, {1}, {1})
                                 .Op('u')
                                 .Stop();
  absl::StatusOr<std::vector<PickledTensor>> tensors = ParseStateDictPickle(pickle);
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  ASSERT_EQ(tensors->size(), 2u);
  EXPECT_EQ((*tensors)[0].name, "a");
  EXPECT_EQ((*tensors)[0].storage_key, "2");
}

TEST(PickleReaderTest, ParametersAndBuild) {
  // _rebuild_parameter(tensor, requires_grad, hooks), then the OrderedDict's
  // _metadata set through BUILD, as Module.state_dict() pickles.
  Pickle p;
  p.Global("collections", "OrderedDict").Op(')').Op('R').Op('(');
  p.Str("p")
      .Global("torch._utils", "_rebuild_parameter")
      .Op('(')
      .Tensor("BFloat16Storage", "0", 2, 0, {2}, {1})
      .Op('\x88')
      .Global("collections", "OrderedDict")
      .Op(')')
      .Op('R')
      .Op('t')
      .Op('R');
  p.Str("q")
      .Global("torch._utils", "_rebuild_parameter_with_state")
      .Op('(')
      .Tensor("FloatStorage", "1", 2, 0, {2}, {1})
      .Op('\x89')
      .Op('}')
      .Op('}')
      .Op('t')
      .Op('R');
  p.Op('u').Op('}').Str("_metadata").Op('}').Op('s').Op('b');
  absl::StatusOr<std::vector<PickledTensor>> tensors = ParseStateDictPickle(p.Stop());
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  ASSERT_EQ(tensors->size(), 2u);
  EXPECT_EQ((*tensors)[0].dtype, "BF16");
  EXPECT_EQ((*tensors)[1].storage_key, "1");

  EXPECT_THAT(ParseError(Pickle().Op(']').Op('}').Op('b').Stop()).message(),
              HasSubstr("sets the state of a list from a dict"));
}

TEST(PickleReaderTest, BadTensorArguments) {
  auto rebuild = [](const std::function<void(Pickle&)>& args) {
    Pickle p;
    p.Op('}').Str("t").Global("torch._utils", "_rebuild_tensor_v2").Op('(');
    args(p);
    return p.Op('t').Op('R').Op('s').Stop();
  };
  EXPECT_THAT(ParseError(rebuild([](Pickle& p) { p.Int(1); })).message(),
              HasSubstr("_rebuild_tensor_v2 takes 6 or 7 arguments, got 1"));
  EXPECT_THAT(ParseError(rebuild([](Pickle& p) {
                p.Int(0).Int(0).Ints({1}).Ints({1}).Op('\x89').Op('}');
              })).message(),
              HasSubstr("_rebuild_tensor_v2: the storage is an int"));
  EXPECT_THAT(
      ParseError(
          Pickle().Op('}').Str("t").Tensor("FloatStorage", "0", 4, 0, {2, 2}, {1}).Op('s').Stop())
          .message(),
      HasSubstr("two tuples of ints of the same length"));
  EXPECT_THAT(
      ParseError(
          Pickle().Op('}').Str("t").Tensor("FloatStorage", "0", 4, -1, {2}, {1}).Op('s').Stop())
          .message(),
      HasSubstr("negative storage offset -1"));
  EXPECT_THAT(
      ParseError(
          Pickle().Op('}').Str("t").Tensor("FloatStorage", "0", 4, 0, {-2}, {1}).Op('s').Stop())
          .message(),
      HasSubstr("negative dimension -2"));
  EXPECT_THAT(ParseError(Pickle().Op('(').Str("file").Op('t').Op('Q').Stop()).message(),
              HasSubstr("persistent id is not ('storage', storage type, key"));
  EXPECT_THAT(ParseError(Pickle().Global("torch", "FloatStorage").Op(')').Op('R').Stop()).message(),
              HasSubstr("calls torch.FloatStorage"));
  EXPECT_THAT(
      ParseError(Pickle().Global("collections", "OrderedDict").Ints({1}).Op('R').Stop()).message(),
      HasSubstr("OrderedDict is called with arguments"));
}

TEST(PickleReaderTest, OneStorageDeclaredTwoWays) {
  const std::string pickle = Pickle()
                                 .Op('}')
                                 .Op('(')
                                 .Str("a")
                                 .Tensor("FloatStorage", "0", 4, 0, {4}, {1})
                                 .Str("b")
                                 .Tensor("HalfStorage", "0", 4, 0, {4}, {1})
                                 .Op('u')
                                 .Stop();
  EXPECT_THAT(ParseError(pickle).message(),
              HasSubstr("storage '0' is declared as 4 elements of F32 and as 4 elements of F16"));
}

TEST(PickleReaderTest, ObjectAndReferenceLimits) {
  // Each EMPTY_LIST is one object; one more than the limit is refused.
  std::string lists = Pickle().Stop();
  lists.pop_back();
  lists.append(static_cast<size_t>(kMaxPickleObjects) + 1, ']');
  EXPECT_THAT(ParseError(lists + ".").message(),
              HasSubstr("objects; a state dict needs far fewer"));
  // References without new objects: the same memo entry fetched again and again.
  std::string refs = Pickle().Op('N').Raw(std::string("q\0", 2)).Stop();
  refs.pop_back();
  for (int64_t i = 0; i <= kMaxPickleReferences; ++i) refs.append("h\0", 2);
  EXPECT_THAT(ParseError(refs + ".").message(),
              HasSubstr("references; a state dict needs far fewer"));
}

}  // namespace
}  // namespace tserve::engine

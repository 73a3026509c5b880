#include "engine/model/checkpoint.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/torch_checkpoint.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace fs = std::filesystem;

const std::string kFixtures = std::string(TSERVE_SOURCE_DIR) + "/tests/data/checkpoints";
const std::string kModels = std::string(TSERVE_SOURCE_DIR) + "/tests/data/models";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json Expected() { return nlohmann::json::parse(ReadBytes(kFixtures + "/expected.json")); }

// Checks every float tensor the fixture script recorded for `dir`.
void ExpectFixtureTensors(const Checkpoint& checkpoint, const std::string& dir) {
  const nlohmann::json expected = Expected().at(dir);
  for (const auto& [name, want] : expected.items()) {
    SCOPED_TRACE(name);
    const TensorEntry* t = checkpoint.Find(name);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dtype, want.at("dtype").get<std::string>());
    const std::vector<int64_t> shape = want.at("shape").get<std::vector<int64_t>>();
    EXPECT_EQ(t->shape, shape);
    absl::StatusOr<std::vector<float>> values = checkpoint.ReadFloat32(name, shape);
    ASSERT_TRUE(values.ok()) << values.status();
    EXPECT_EQ(*values, want.at("values").get<std::vector<float>>());
  }
}

TEST(CheckpointTest, EveryLayoutOfTheFixtures) {
  struct Case {
    std::string dir;
    std::string format;
    std::vector<std::string> files;
  };
  const std::vector<Case> cases = {
      {"torch", "pytorch_model.bin", {"pytorch_model.bin"}},
      {"torch-protocol4", "pytorch_model.bin", {"pytorch_model.bin"}},
      {"torch-sharded",
       "pytorch_model.bin, 2 shards",
       {"pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin",
        "pytorch_model-00002-of-00002.bin"}},
      {"safetensors-sharded",
       "safetensors, 2 shards",
       {"model.safetensors.index.json", "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors"}},
      {"both", "safetensors", {"model.safetensors"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dir);
    const std::string dir = kFixtures + "/" + c.dir;
    absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint = Checkpoint::Open(dir);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    EXPECT_EQ((*checkpoint)->format(), c.format);
    std::vector<std::string> files;
    for (const std::string& f : c.files) files.push_back((fs::path(dir) / f).string());
    EXPECT_EQ((*checkpoint)->files(), files);
    const std::vector<const TensorEntry*>& tensors = (*checkpoint)->tensors();
    EXPECT_TRUE(std::is_sorted(tensors.begin(), tensors.end(),
                               [](auto* a, auto* b) { return a->name < b->name; }));
    ExpectFixtureTensors(**checkpoint, c.dir);
  }
}

TEST(CheckpointTest, TorchViewsShareTheirStorage) {
  absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint = Checkpoint::Open(kFixtures + "/torch");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  const Checkpoint& c = **checkpoint;
  ASSERT_EQ(c.tensors().size(), 10u);
  const TensorEntry* shared = c.Find("model.shared.weight");
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(c.Find("model.encoder.embed_tokens.weight")->data, shared->data);
  EXPECT_EQ(c.Find("model.decoder.embed_tokens.weight")->data, shared->data);
  EXPECT_EQ(shared->nbytes, 80u);
  // Read twice: the second read faults back the pages the first one released.
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<std::vector<float>> v =
        c.ReadFloat32("model.decoder.embed_tokens.weight", {5, 4});
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ((*v)[0], -1.f);
    EXPECT_EQ((*v)[19], 3.75f);
  }
  // torch.arange(10) - 1, elements 4 to 6.
  absl::StatusOr<std::vector<float>> bias = c.ReadFloat32("layer.offset.bias", {3});
  ASSERT_TRUE(bias.ok()) << bias.status();
  EXPECT_THAT(*bias, ElementsAre(3.f, 4.f, 5.f));
  absl::StatusOr<std::vector<float>> scalar = c.ReadFloat32("layer.scalar", {});
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_THAT(*scalar, ElementsAre(2.5f));
  EXPECT_EQ(c.Find("embeddings.position_ids")->dtype, "I64");
  EXPECT_EQ(c.FileOf("layer.scalar"), kFixtures + "/torch/pytorch_model.bin");
  EXPECT_EQ(c.FileOf("absent"), "");
}

TEST(CheckpointTest, ReadErrorsNameTheFileAndTensor) {
  absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint =
      Checkpoint::Open(kFixtures + "/torch-sharded");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  const Checkpoint& c = **checkpoint;
  const std::string shard1 = kFixtures + "/torch-sharded/pytorch_model-00001-of-00002.bin";
  const std::string shard2 = kFixtures + "/torch-sharded/pytorch_model-00002-of-00002.bin";

  absl::StatusOr<std::vector<float>> v = c.ReadFloat32("model.shared.weight", {4, 5});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      v.status().message(),
      HasSubstr(shard1 + ": tensor 'model.shared.weight' has shape [5, 4]; expected [4, 5]"));
  v = c.ReadFloat32("embeddings.position_ids", {1, 4});
  EXPECT_THAT(v.status().message(),
              HasSubstr(shard2 + ": tensor 'embeddings.position_ids' has dtype I64; expected "
                                 "F32, F16 or BF16"));
  v = c.ReadFloat32("lm_head.weight", {5, 4});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(v.status().message(),
              HasSubstr("pytorch_model.bin.index.json: tensor 'lm_head.weight' not found"));
}

TEST(CheckpointTest, NoWeights) {
  absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint = Checkpoint::Open(kFixtures);
  ASSERT_FALSE(checkpoint.ok());
  EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(checkpoint.status().message(),
              HasSubstr(kFixtures + ": no weights: none of model.safetensors, "
                                    "model.safetensors.index.json, pytorch_model.bin, "
                                    "pytorch_model.bin.index.json exists"));
}

TEST(CheckpointTest, HostileLegacyAndBigEndianFilesAreRefused) {
  absl::StatusOr<std::unique_ptr<Checkpoint>> hostile = Checkpoint::Open(kFixtures + "/hostile");
  ASSERT_FALSE(hostile.ok());
  EXPECT_EQ(hostile.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(hostile.status().message(),
              HasSubstr("pytorch_model.bin: pytorch_model/data.pkl: global 'posix system' is not "
                        "allowed"));
  EXPECT_THAT(hostile.status().message(), HasSubstr("the checkpoint may try to run code"));

  absl::StatusOr<std::unique_ptr<Checkpoint>> legacy = Checkpoint::Open(kFixtures + "/legacy");
  ASSERT_FALSE(legacy.ok());
  EXPECT_THAT(legacy.status().message(),
              HasSubstr("not a zip archive: saved by torch < 1.6 (the legacy format)"));

  absl::StatusOr<std::unique_ptr<Checkpoint>> big = Checkpoint::Open(kFixtures + "/big-endian");
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.status().message(),
              HasSubstr("'pytorch_model/byteorder' is 'big': only little-endian checkpoints can "
                        "be read"));
}

// The published layouts of the test models hold the same weights as their
// model.safetensors, bit for bit; tied names read as the tensor they view.
TEST(CheckpointTest, TestModelLayoutsMatchTheirSafetensors) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"tiny-relu-tied-f32-bin", "tiny-relu-tied-f32"},
      {"swish-untied-f16-bin", "swish-untied-f16"},
      {"gelu-separate-bf16-sharded", "gelu-separate-bf16"},
      {"odd-defaults-f32-bin-sharded", "odd-defaults-f32"},
  };
  for (const auto& [variant, base] : pairs) {
    SCOPED_TRACE(variant);
    absl::StatusOr<std::unique_ptr<Checkpoint>> a = Checkpoint::Open(kModels + "/" + variant);
    absl::StatusOr<std::unique_ptr<Checkpoint>> b = Checkpoint::Open(kModels + "/" + base);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ((*b)->format(), "safetensors");
    EXPECT_NE((*a)->format(), "safetensors");
    for (const TensorEntry* t : (*b)->tensors()) {
      SCOPED_TRACE(t->name);
      ASSERT_NE((*a)->Find(t->name), nullptr);
      absl::StatusOr<std::vector<float>> want = (*b)->ReadFloat32(t->name, t->shape);
      absl::StatusOr<std::vector<float>> got = (*a)->ReadFloat32(t->name, t->shape);
      ASSERT_TRUE(want.ok()) << want.status();
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(want->size(), got->size());
      EXPECT_EQ(std::memcmp(want->data(), got->data(), want->size() * sizeof(float)), 0);
    }
  }
}

// A directory of its own under the test's temporary directory.
std::string FreshDir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("checkpoint_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(CheckpointTest, IndexErrors) {
  const std::string shard = "model-00001-of-00002.safetensors";
  const std::string source = kFixtures + "/safetensors-sharded/" + shard;
  struct Case {
    std::string index;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{\"weight_map\": {\"layer.scalar\": \"../" + shard + "\"}}",
       "tensor 'layer.scalar': shard '../" + shard + "' is not a plain file name"},
      {R"({"weight_map": {"layer.scalar": ".."}})", "shard '..' is not a plain file name"},
      {R"({"weight_map": {"layer.scalar": "sub/x.safetensors"}})",
       "shard 'sub/x.safetensors' is not a plain file name"},
      {R"({"weight_map": {"layer.scalar": 3}})",
       "tensor 'layer.scalar': the shard must be a file name string"},
      {"{\"weight_map\": {\"absent.weight\": \"" + shard + "\"}}",
       "tensor 'absent.weight' is listed in shard '" + shard + "', which does not hold it"},
      {R"({"metadata": {}})", "has no \"weight_map\" object"},
      {R"({"weight_map": {}})", "\"weight_map\" lists no tensors"},
      {R"([1, 2])", "must be a JSON object"},
      {R"({"weight_map": )", "invalid JSON"},
  };
  const std::string dir = FreshDir("index");
  fs::copy_file(source, fs::path(dir) / shard);
  const std::string index = dir + "/model.safetensors.index.json";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.index);
    WriteFile(index, c.index);
    absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint = Checkpoint::Open(dir);
    ASSERT_FALSE(checkpoint.ok());
    EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(checkpoint.status().message()), StartsWith(index + ": "));
    EXPECT_THAT(checkpoint.status().message(), HasSubstr(c.message));
  }

  WriteFile(index, R"({"weight_map": {"layer.scalar": "missing.safetensors"}})");
  absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint = Checkpoint::Open(dir);
  ASSERT_FALSE(checkpoint.ok());
  EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(checkpoint.status().message(), HasSubstr(index + ": shard 'missing.safetensors': "));
  EXPECT_THAT(checkpoint.status().message(), HasSubstr(dir + "/missing.safetensors"));
  fs::remove_all(dir);
}

// ---- The torch fixture's bytes, corrupted in memory ----

class TorchBytesTest : public ::testing::Test {
 protected:
  void SetUp() override { bytes_ = ReadBytes(kFixtures + "/torch/pytorch_model.bin"); }

  absl::Status Error(const std::string& bytes) {
    absl::StatusOr<std::unique_ptr<TorchCheckpoint>> c =
        TorchCheckpoint::FromBytes(bytes, "pytorch_model.bin");
    EXPECT_FALSE(c.ok()) << "read a corrupted checkpoint";
    if (c.ok()) return absl::OkStatus();
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(c.status().message()), StartsWith("pytorch_model.bin: "));
    return c.status();
  }

  // Replaces the only (or, with `first_of_many`, the first) occurrence of `from`
  // with `to`, of the same length.
  std::string Replaced(std::string_view from, std::string_view to, bool first_of_many = false) {
    const size_t at = bytes_.find(from);
    EXPECT_NE(at, std::string::npos);
    if (!first_of_many) {
      EXPECT_EQ(bytes_.find(from, at + 1), std::string::npos);
    }
    std::string out = bytes_;
    if (at != std::string::npos) out.replace(at, from.size(), to);
    return out;
  }

  // The offset of the central directory entry named `name`.
  size_t CentralEntry(std::string_view name) const {
    for (size_t at = bytes_.find("PK\x01\x02"); at != std::string::npos;
         at = bytes_.find("PK\x01\x02", at + 1)) {
      uint16_t length;
      std::memcpy(&length, &bytes_[at + 28], 2);
      if (std::string_view(bytes_).substr(at + 46, length) == name) return at;
    }
    ADD_FAILURE() << "no central directory entry " << name;
    return 0;
  }

  std::string bytes_;
};

TEST_F(TorchBytesTest, ReadsUnchanged) {
  absl::StatusOr<std::unique_ptr<TorchCheckpoint>> c = TorchCheckpoint::FromBytes(bytes_);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)->tensors().size(), 10u);
  EXPECT_EQ((*c)->label(), "<memory>");
}

TEST_F(TorchBytesTest, Truncated) {
  for (size_t n : {size_t{0}, size_t{3}, size_t{40}, bytes_.size() / 2, bytes_.size() - 100,
                   bytes_.size() - 30, bytes_.size() - 1}) {
    SCOPED_TRACE(n);
    (void)Error(bytes_.substr(0, n));
  }
}

TEST_F(TorchBytesTest, CompressedEntries) {
  std::string bytes = bytes_;
  bytes[CentralEntry("pytorch_model/data/3") + 10] = 8;
  EXPECT_THAT(Error(bytes).message(),
              HasSubstr("pytorch_model.bin: entry 'pytorch_model/data/3' is compressed (method "
                        "8); PyTorch checkpoints store tensors uncompressed — re-save with "
                        "torch.save"));
  bytes = bytes_;
  bytes[CentralEntry("pytorch_model/data.pkl") + 10] = 8;
  EXPECT_THAT(Error(bytes).message(), HasSubstr("entry 'pytorch_model/data.pkl' is compressed"));
}

TEST_F(TorchBytesTest, CentralDirectoryPastTheEnd) {
  // torch writes the ZIP64 end record, whose 64-bit offset is the one read.
  const size_t zip64_end = bytes_.rfind("PK\x06\x06");
  ASSERT_NE(zip64_end, std::string::npos);
  std::string bytes = bytes_;
  const uint64_t far = 1u << 30;
  std::memcpy(&bytes[zip64_end + 48], &far, 8);
  EXPECT_THAT(Error(bytes).message(),
              HasSubstr("truncated: central directory at offset 1073741824"));
}

TEST_F(TorchBytesTest, StorageEntryMissing) {
  std::string bytes = bytes_;
  for (size_t at = bytes.find("pytorch_model/data/0"); at != std::string::npos;
       at = bytes.find("pytorch_model/data/0", at + 1)) {
    bytes[at + 19] = 'Z';
  }
  EXPECT_THAT(Error(bytes).message(), HasSubstr("tensor 'model.shared.weight': its storage entry "
                                                "'pytorch_model/data/0' is missing"));
}

TEST_F(TorchBytesTest, StorageSizeDisagrees) {
  // The persistent id's element count of storage 0 (20 floats): 21.
  EXPECT_THAT(Error(Replaced("K\x14t", "K\x15t")).message(),
              HasSubstr("tensor 'model.shared.weight': storage 'pytorch_model/data/0' holds 80 "
                        "bytes, not the 21 elements of F32 (4 bytes each)"));
}

TEST_F(TorchBytesTest, NonContiguousStrides) {
  // model.shared.weight [5, 4] with stride (4, 1) -> (1, 4): a transposed view.
  EXPECT_THAT(Error(Replaced("K\x04K\x01\x86", "K\x01K\x04\x86", true)).message(),
              HasSubstr("tensor 'model.shared.weight' is not contiguous (shape [5, 4], stride "
                        "[1, 4])"));
}

TEST_F(TorchBytesTest, ViewPastTheEndOfItsStorage) {
  // layer.offset.bias: storage offset 4 -> 8, three elements of a ten-element storage.
  EXPECT_THAT(Error(Replaced("QK\x04K\x03\x85", "QK\x08K\x03\x85")).message(),
              HasSubstr("tensor 'layer.offset.bias': elements [8, 11) go past the end of its "
                        "storage 'pytorch_model/data/3' (10 elements)"));
}

TEST_F(TorchBytesTest, PickleErrors) {
  EXPECT_THAT(Error(Replaced("\x80\x02"
                             "ccollections",
                             "\x80\x02icollections"))
                  .message(),
              HasSubstr("pytorch_model/data.pkl: opcode INST (0x69 'i') at offset 2 is not "
                        "allowed"));
  EXPECT_THAT(
      Error(Replaced("collections\nOrderedDict\n", "subprocess\ncheck_output\n", true)).message(),
      HasSubstr("pytorch_model/data.pkl: global 'subprocess check_output' is not allowed"));
}

TEST_F(TorchBytesTest, NotATorchArchive) {
  // Rename data.pkl (in the central directory and the local header) to data.pkX.
  std::string bytes = bytes_;
  const size_t name_length = std::string("pytorch_model/data.pkl").size();
  bytes[CentralEntry("pytorch_model/data.pkl") + 46 + name_length - 1] = 'X';
  bytes[30 + name_length - 1] = 'X';
  EXPECT_THAT(Error(bytes).message(),
              HasSubstr("no 'pytorch_model/data.pkl' entry: a zip archive but not a PyTorch "
                        "checkpoint"));
}

}  // namespace
}  // namespace tserve::engine

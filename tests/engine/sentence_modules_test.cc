// sentence-transformers modules (engine/model/sentence_modules.h) on directories written
// here: modules.json, Pooling and Dense config.json files and small safetensors weights
// (float32 and bfloat16), as sentence-t5-base and LaBSE lay them out. Apply is compared
// with a double-precision computation of the same pipeline; bad files are refused with
// messages naming them.
#include "engine/model/sentence_modules.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kTransformer[] = "sentence_transformers.models.Transformer";
constexpr char kPooling[] = "sentence_transformers.models.Pooling";
constexpr char kDense[] = "sentence_transformers.models.Dense";
constexpr char kNormalize[] = "sentence_transformers.models.Normalize";
constexpr char kIdentity[] = "torch.nn.modules.linear.Identity";
constexpr char kTanh[] = "torch.nn.modules.activation.Tanh";
constexpr int64_t kDModel = 16;

void WriteText(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

void WriteJson(const std::string& path, const Json& json) { WriteText(path, json.dump(1)); }

// bfloat16 bits of `value`, rounded to nearest even (values here are finite).
uint16_t ToBFloat16(float value) {
  uint32_t bits = 0;
  std::memcpy(&bits, &value, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

float FromBFloat16(uint16_t half) {
  const uint32_t bits = static_cast<uint32_t>(half) << 16;
  float value = 0;
  std::memcpy(&value, &bits, 4);
  return value;
}

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// A safetensors file of `tensors`, stored as F32 or BF16.
void WriteSafetensors(const std::string& path, const std::vector<Tensor>& tensors, bool bf16) {
  Json header = Json::object();
  std::string data;
  for (const Tensor& t : tensors) {
    const size_t begin = data.size();
    for (float v : t.values) {
      if (bf16) {
        const uint16_t h = ToBFloat16(v);
        data.append(reinterpret_cast<const char*>(&h), 2);
      } else {
        data.append(reinterpret_cast<const char*>(&v), 4);
      }
    }
    header[t.name] = {{"dtype", bf16 ? "BF16" : "F32"},
                      {"shape", t.shape},
                      {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');
  const uint64_t length = text.size();
  std::string file(reinterpret_cast<const char*>(&length), 8);
  WriteText(path, file + text + data);
}

std::vector<float> RandomValues(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> out(n);
  for (float& v : out) v = dist(rng);
  return out;
}

// What a Dense module holds, as the reference computes it.
struct DenseSpec {
  int64_t in = 0;
  int64_t out = 0;
  bool bias = false;
  bool tanh = false;
  bool bf16 = false;
  std::vector<float> weight;  // as stored (bfloat16-rounded when bf16)
  std::vector<float> bias_values;
};

DenseSpec MakeDense(int64_t in, int64_t out, bool bias, bool tanh, bool bf16, uint32_t seed) {
  DenseSpec d{in,
              out,
              bias,
              tanh,
              bf16,
              RandomValues(static_cast<size_t>(in * out), seed, 0.5f),
              bias ? RandomValues(static_cast<size_t>(out), seed + 1, 0.2f) : std::vector<float>{}};
  if (bf16) {
    for (float& v : d.weight) v = FromBFloat16(ToBFloat16(v));
    for (float& v : d.bias_values) v = FromBFloat16(ToBFloat16(v));
  }
  return d;
}

void WriteDense(const std::string& dir, const DenseSpec& d) {
  WriteJson(dir + "/config.json", {{"in_features", d.in},
                                   {"out_features", d.out},
                                   {"bias", d.bias},
                                   {"activation_function", d.tanh ? kTanh : kIdentity}});
  std::vector<Tensor> tensors = {{"linear.weight", {d.out, d.in}, d.weight}};
  if (d.bias) tensors.push_back({"linear.bias", {d.out}, d.bias_values});
  WriteSafetensors(dir + "/model.safetensors", tensors, d.bf16);
}

Json PoolingConfig(bool mean, int64_t width = kDModel) {
  return {{"word_embedding_dimension", width},
          {"pooling_mode_cls_token", !mean},
          {"pooling_mode_mean_tokens", mean},
          {"pooling_mode_max_tokens", false},
          {"pooling_mode_mean_sqrt_len_tokens", false},
          {"pooling_mode_weightedmean_tokens", false},
          {"pooling_mode_lasttoken", false},
          {"include_prompt", true}};
}

Json Module(int idx, const std::string& path, const char* type) {
  return {{"idx", idx}, {"name", std::to_string(idx)}, {"path", path}, {"type", type}};
}

// The pipeline in double precision.
std::vector<double> Reference(const std::vector<float>& states, int64_t length, bool mean,
                              const std::vector<DenseSpec>& dense, bool normalize) {
  std::vector<double> x(static_cast<size_t>(kDModel), 0.0);
  for (int64_t j = 0; j < kDModel; ++j) {
    if (!mean) {
      x[j] = states[j];
      continue;
    }
    for (int64_t i = 0; i < length; ++i) x[j] += states[i * kDModel + j];
    x[j] /= static_cast<double>(length);
  }
  for (const DenseSpec& d : dense) {
    std::vector<double> y(static_cast<size_t>(d.out));
    for (int64_t o = 0; o < d.out; ++o) {
      double acc = d.bias ? d.bias_values[o] : 0.0;
      for (int64_t k = 0; k < d.in; ++k) acc += double(d.weight[o * d.in + k]) * x[k];
      y[o] = d.tanh ? std::tanh(acc) : acc;
    }
    x = std::move(y);
  }
  if (normalize) {
    double norm = 0;
    for (double v : x) norm += v * v;
    norm = std::max(std::sqrt(norm), 1e-12);
    for (double& v : x) v /= norm;
  }
  return x;
}

class SentenceModulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/sentence_modules_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // sentence-t5-base's layout: Transformer, 1_Pooling (mean), 2_Dense (no bias, Identity),
  // 3_Normalize.
  void WriteSentenceT5(const DenseSpec& dense) {
    WriteJson(dir_ + "/modules.json",
              {Module(0, "", kTransformer), Module(1, "1_Pooling", kPooling),
               Module(2, "2_Dense", kDense), Module(3, "3_Normalize", kNormalize)});
    WriteJson(dir_ + "/1_Pooling/config.json", PoolingConfig(/*mean=*/true));
    WriteDense(dir_ + "/2_Dense", dense);
    fs::create_directories(dir_ + "/3_Normalize");
  }

  absl::StatusOr<std::optional<SentenceModules>> Load() const {
    return LoadSentenceModules(dir_, kDModel);
  }
  // The error of a load that must fail.
  absl::Status Refusal() const {
    absl::StatusOr<std::optional<SentenceModules>> m = Load();
    EXPECT_FALSE(m.ok());
    return m.ok() ? absl::OkStatus() : m.status();
  }
  // Its message.
  std::string RefusalMessage() const { return std::string(Refusal().message()); }

  std::string dir_;
};

void ExpectClose(const std::vector<float>& ours, const std::vector<double>& reference,
                 double tolerance) {
  ASSERT_EQ(ours.size(), reference.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_NEAR(ours[i], reference[i], tolerance * std::max(1.0, std::abs(reference[i])))
        << "value " << i;
  }
}

TEST_F(SentenceModulesTest, NoModulesJsonIsNoPipeline) {
  absl::StatusOr<std::optional<SentenceModules>> m = Load();
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->has_value());
}

TEST_F(SentenceModulesTest, SentenceT5LayoutMeanDenseNormalize) {
  const DenseSpec dense = MakeDense(kDModel, 12, /*bias=*/false, /*tanh=*/false, false, 7);
  WriteSentenceT5(dense);
  absl::StatusOr<std::optional<SentenceModules>> m = Load();
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->has_value());
  const SentenceModules& modules = **m;
  EXPECT_EQ(modules.pooling(), SentencePooling::kMean);
  EXPECT_EQ(modules.input_width(), kDModel);
  EXPECT_EQ(modules.output_width(), 12);
  ASSERT_EQ(modules.steps().size(), 2u);
  EXPECT_EQ(modules.steps()[0].kind, SentenceStep::Kind::kDense);
  EXPECT_TRUE(modules.steps()[0].bias.empty());
  EXPECT_EQ(modules.steps()[1].kind, SentenceStep::Kind::kNormalize);

  // Rows past `length` (padding) must not count.
  const int64_t length = 5;
  std::vector<float> states = RandomValues(static_cast<size_t>(8 * kDModel), 11, 3.0f);
  for (size_t i = length * kDModel; i < states.size(); ++i) states[i] = 1e6f;
  const std::vector<float> ours = modules.Apply(states.data(), length, kDModel);
  ExpectClose(ours, Reference(states, length, /*mean=*/true, {dense}, /*normalize=*/true), 1e-6);
  double norm = 0;
  for (float v : ours) norm += double(v) * v;
  EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-6);
}

// LaBSE's Dense (bias, Tanh) after CLS pooling, stored as bfloat16, then a second float32
// Dense, no Normalize.
TEST_F(SentenceModulesTest, ClsPoolingChainedDenseBfloat16) {
  const DenseSpec first = MakeDense(kDModel, 10, /*bias=*/true, /*tanh=*/true, /*bf16=*/true, 21);
  const DenseSpec second = MakeDense(10, 6, /*bias=*/true, /*tanh=*/false, /*bf16=*/false, 31);
  WriteJson(dir_ + "/modules.json", {Module(0, "", kTransformer), Module(1, "1_Pooling", kPooling),
                                     Module(2, "2_Dense", kDense), Module(3, "3_Dense", kDense)});
  WriteJson(dir_ + "/1_Pooling/config.json", PoolingConfig(/*mean=*/false));
  WriteDense(dir_ + "/2_Dense", first);
  WriteDense(dir_ + "/3_Dense", second);
  absl::StatusOr<std::optional<SentenceModules>> m = Load();
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ((*m)->pooling(), SentencePooling::kCls);
  EXPECT_EQ((*m)->output_width(), 6);
  const std::vector<float> states = RandomValues(static_cast<size_t>(4 * kDModel), 41, 2.0f);
  ExpectClose((*m)->Apply(states.data(), 4, kDModel),
              Reference(states, 4, /*mean=*/false, {first, second}, /*normalize=*/false), 1e-5);
}

// Dense's defaults (bias, Tanh) when its config.json leaves them out; Normalize alone.
TEST_F(SentenceModulesTest, DenseDefaultsAndNormalizeWithoutDense) {
  DenseSpec dense = MakeDense(kDModel, 4, /*bias=*/true, /*tanh=*/true, false, 51);
  WriteDense(dir_ + "/2_Dense", dense);
  WriteJson(dir_ + "/2_Dense/config.json", {{"in_features", kDModel}, {"out_features", 4}});
  WriteJson(dir_ + "/modules.json", {Module(0, "", kTransformer), Module(1, "1_Pooling", kPooling),
                                     Module(2, "2_Dense", kDense)});
  WriteJson(dir_ + "/1_Pooling/config.json", PoolingConfig(/*mean=*/true));
  absl::StatusOr<std::optional<SentenceModules>> m = Load();
  ASSERT_TRUE(m.ok()) << m.status();
  const std::vector<float> states = RandomValues(static_cast<size_t>(3 * kDModel), 61);
  ExpectClose((*m)->Apply(states.data(), 3, kDModel), Reference(states, 3, true, {dense}, false),
              1e-6);

  WriteJson(dir_ + "/modules.json", {Module(0, "", kTransformer), Module(1, "1_Pooling", kPooling),
                                     Module(2, "2_Normalize", kNormalize)});
  m = Load();
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->output_width(), kDModel);
  ExpectClose((*m)->Apply(states.data(), 3, kDModel), Reference(states, 3, true, {}, true), 1e-6);
  // A zero vector stays zero (the norm is clamped to 1e-12), as does an empty sequence.
  const std::vector<float> zeros(static_cast<size_t>(kDModel), 0.0f);
  EXPECT_EQ((*m)->Apply(zeros.data(), 1, kDModel), zeros);
  EXPECT_EQ((*m)->Apply(states.data(), 0, kDModel), zeros);
  // States of another width are not this pipeline's input.
  EXPECT_TRUE((*m)->Apply(states.data(), 3, kDModel - 1).empty());
}

TEST_F(SentenceModulesTest, UnknownOrMisplacedModulesAreRefused) {
  WriteJson(dir_ + "/1_Pooling/config.json", PoolingConfig(true));
  WriteJson(dir_ + "/modules.json",
            {Module(0, "", kTransformer), Module(1, "1_Pooling", kPooling),
             Module(2, "2_LayerNorm", "sentence_transformers.models.LayerNorm")});
  absl::Status s = Refusal();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("'sentence_transformers.models.LayerNorm'"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("modules.json: module 2"));

  WriteJson(dir_ + "/modules.json", Json::array({Module(0, "1_Pooling", kPooling)}));
  s = Refusal();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("first module must be"));

  WriteJson(dir_ + "/modules.json", Json::array({Module(0, "0_Transformer", kTransformer)}));
  EXPECT_THAT(RefusalMessage(), HasSubstr("path \"\""));

  WriteJson(dir_ + "/modules.json", {Module(0, "", kTransformer), Module(1, "x", kNormalize)});
  EXPECT_THAT(RefusalMessage(), HasSubstr("needs a Pooling module"));

  WriteJson(dir_ + "/modules.json", Json::array({Module(0, "", kTransformer)}));
  EXPECT_THAT(RefusalMessage(), HasSubstr("has no Pooling module"));

  WriteJson(dir_ + "/modules.json", {Module(0, "", kTransformer), Module(1, "../x", kPooling)});
  EXPECT_THAT(RefusalMessage(), HasSubstr("leaves the model directory"));

  WriteText(dir_ + "/modules.json", "[{\"type\": ");
  EXPECT_THAT(RefusalMessage(), HasSubstr("modules.json: invalid JSON"));
}

TEST_F(SentenceModulesTest, UnsupportedPoolingIsRefused) {
  WriteJson(dir_ + "/modules.json",
            {Module(0, "", kTransformer), Module(1, "1_Pooling", kPooling)});
  for (const char* mode : {"pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
                           "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"}) {
    Json config = PoolingConfig(true);
    config[mode] = true;
    WriteJson(dir_ + "/1_Pooling/config.json", config);
    const absl::Status s = Refusal();
    EXPECT_TRUE(absl::IsUnimplemented(s)) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(mode));
  }
  Json both = PoolingConfig(true);
  both["pooling_mode_cls_token"] = true;
  WriteJson(dir_ + "/1_Pooling/config.json", both);
  EXPECT_THAT(RefusalMessage(), HasSubstr("sets both"));
  Json neither = PoolingConfig(true);
  neither["pooling_mode_mean_tokens"] = false;
  WriteJson(dir_ + "/1_Pooling/config.json", neither);
  EXPECT_THAT(RefusalMessage(), HasSubstr("sets neither"));
  WriteJson(dir_ + "/1_Pooling/config.json", PoolingConfig(true, kDModel + 1));
  const absl::Status s = Refusal();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("word_embedding_dimension is 17 but the model's d_model is 16"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("1_Pooling/config.json"));
}

TEST_F(SentenceModulesTest, BadDenseModulesAreRefused) {
  const DenseSpec dense = MakeDense(kDModel, 12, /*bias=*/true, /*tanh=*/false, false, 71);
  WriteSentenceT5(dense);
  ASSERT_TRUE(Load().ok());

  // Widths must chain.
  DenseSpec narrow = MakeDense(kDModel - 2, 12, true, false, false, 72);
  WriteDense(dir_ + "/2_Dense", narrow);
  absl::Status s = Refusal();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("in_features is 14 but the module before it gives 16"));

  // Weights of another shape than config.json says.
  WriteDense(dir_ + "/2_Dense", dense);
  WriteJson(dir_ + "/2_Dense/config.json", {{"in_features", kDModel},
                                            {"out_features", 11},
                                            {"bias", true},
                                            {"activation_function", kIdentity}});
  EXPECT_THAT(RefusalMessage(), HasSubstr("linear.weight"));

  // No bias tensor although config.json asks for one.
  WriteDense(dir_ + "/2_Dense", dense);
  WriteSafetensors(dir_ + "/2_Dense/model.safetensors",
                   {{"linear.weight", {12, kDModel}, dense.weight}}, false);
  s = Refusal();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("linear.bias"));

  // No weights at all.
  fs::remove(dir_ + "/2_Dense/model.safetensors");
  s = Refusal();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("2_Dense"));

  // An activation tserve does not have.
  WriteDense(dir_ + "/2_Dense", dense);
  WriteJson(dir_ + "/2_Dense/config.json",
            {{"in_features", kDModel},
             {"out_features", 12},
             {"bias", true},
             {"activation_function", "torch.nn.modules.activation.ReLU"}});
  s = Refusal();
  EXPECT_TRUE(absl::IsUnimplemented(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("torch.nn.modules.activation.ReLU"));

  // A missing config.json.
  fs::remove(dir_ + "/2_Dense/config.json");
  s = Refusal();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("2_Dense/config.json"));
}

}  // namespace
}  // namespace tserve::engine

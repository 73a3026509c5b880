#include "server/request_validation.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model_registry.h"

namespace tserve::server {
namespace {

using ::testing::HasSubstr;

google::protobuf::RepeatedPtrField<std::string> Texts(std::vector<std::string> texts) {
  google::protobuf::RepeatedPtrField<std::string> out;
  for (std::string& t : texts) *out.Add() = std::move(t);
  return out;
}

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 5 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(Utf8Test, RejectsMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\x80"));              // continuation without lead
  EXPECT_FALSE(IsValidUtf8("caf\xC3"));           // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82x"));         // bad continuation
}

TEST(ValidateTextsTest, ChecksCountEmptinessAndEncoding) {
  RequestLimits limits;
  limits.max_texts_per_request = 2;
  EXPECT_TRUE(ValidateTexts(Texts({"a", "b"}), limits).ok());
  EXPECT_THAT(ValidateTexts(Texts({}), limits).message(), HasSubstr("texts is empty"));
  absl::Status too_many = ValidateTexts(Texts({"a", "b", "c"}), limits);
  EXPECT_EQ(too_many.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.message(), HasSubstr("--max_texts_per_request"));
  EXPECT_THAT(ValidateTexts(Texts({"a", ""}), limits).message(), HasSubstr("texts[1] is empty"));
  EXPECT_THAT(ValidateTexts(Texts({"\xFF"}), limits).message(),
              HasSubstr("texts[0] is not valid UTF-8"));
  EXPECT_EQ(ValidateText("").code(), absl::StatusCode::kInvalidArgument);
}

// Text that is only white space normalises to nothing: refused as "" is.
TEST(ValidateTextsTest, OnlyWhiteSpaceIsRefusedLikeEmpty) {
  RequestLimits limits;
  for (const char* blank : {" ", "\t\n  \r", "\xC2\xA0", "\xE3\x80\x80 \xE2\x80\x8B"}) {
    absl::Status status = ValidateTexts(Texts({"a", blank}), limits);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << blank;
    EXPECT_THAT(status.message(), HasSubstr("texts[1] is only white space"));
    EXPECT_EQ(ValidateText(blank).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ValidateTexts(Texts({" a ", "\xC2\xA0x"}), limits).ok());
  EXPECT_TRUE(ValidateText("\xE4\xB8\xAD").ok());
}

engine::ModelConfig SmallConfig() {
  engine::ModelConfig c;
  c.vocab_size = c.decoder_vocab_size = 100;
  c.max_position_embeddings = 64;
  c.num_beams = 4;
  c.max_length = 512;
  return c;
}

std::vector<int32_t> FakeEncode(absl::string_view text) {
  return std::vector<int32_t>(text.size(), 7);  // one token per byte
}

absl::StatusOr<engine::DecodingOptions> Convert(const tserve::v1::DecodingOptions& options,
                                                RequestLimits limits = {}) {
  const engine::ModelConfig config = SmallConfig();
  return ToEngineOptions(options, ComputeDefaults(config, limits), limits, config, FakeEncode,
                         1234);
}

TEST(DefaultsTest, ComeFromTheModelCappedByTheLimits) {
  RequestLimits limits;
  limits.max_beam_size = 2;
  limits.max_decoding_length = 256;
  limits.max_input_tokens = 512;
  DecodingDefaults d = ComputeDefaults(SmallConfig(), limits);
  EXPECT_EQ(d.beam_size, 2);    // num_beams 4 capped by --max_beam_size
  EXPECT_EQ(d.max_length, 64);  // the model's positions
  EXPECT_EQ(d.max_input_tokens, 64);
  engine::ModelConfig c = SmallConfig();
  c.max_length = 20;
  EXPECT_EQ(ComputeDefaults(c, limits).max_length, 19);  // HF max_length counts the start token
}

TEST(ToEngineOptionsTest, AppliesDefaults) {
  absl::StatusOr<engine::DecodingOptions> o = Convert({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->beam_size, 4);
  EXPECT_EQ(o->num_hypotheses, 1);
  EXPECT_EQ(o->max_length, 64);
  EXPECT_EQ(o->min_length, 0);
  EXPECT_FLOAT_EQ(o->length_penalty, 1.f);
  EXPECT_FLOAT_EQ(o->sampling_topp, 1.f);
  EXPECT_EQ(o->seed, 1234u);
}

TEST(ToEngineOptionsTest, CopiesSetOptions) {
  tserve::v1::DecodingOptions in;
  in.set_beam_size(1);
  in.set_sampling_temperature(0.5f);
  in.set_num_hypotheses(3);
  in.set_sampling_topk(5);
  in.set_sampling_topp(0.9f);
  in.set_seed(42);
  in.set_max_length(10);
  in.set_min_length(2);
  in.set_target_prefix("ab");
  absl::StatusOr<engine::DecodingOptions> o = Convert(in);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->sampling());
  EXPECT_EQ(o->num_hypotheses, 3);
  EXPECT_EQ(o->sampling_topk, 5);
  EXPECT_EQ(o->seed, 42u);
  EXPECT_EQ(o->max_length, 10);
  EXPECT_EQ(o->min_length, 2);
  EXPECT_EQ(o->target_prefix, (std::vector<int32_t>{7, 7}));
}

TEST(ToEngineOptionsTest, TemperatureWithoutBeamSamples) {
  tserve::v1::DecodingOptions in;
  in.set_sampling_temperature(1.f);
  absl::StatusOr<engine::DecodingOptions> o = Convert(in);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->sampling());
}

struct BadOptions {
  std::string name;
  tserve::v1::DecodingOptions options;
  std::string message;
};

std::vector<BadOptions> BadCases() {
  std::vector<BadOptions> cases;
  auto add = [&](std::string name, auto set, std::string message) {
    BadOptions c{std::move(name), {}, std::move(message)};
    set(c.options);
    cases.push_back(std::move(c));
  };
  add(
      "BeamTooLarge", [](auto& o) { o.set_beam_size(9); }, "--max_beam_size");
  add(
      "HypothesesOverBeam",
      [](auto& o) {
        o.set_beam_size(2);
        o.set_num_hypotheses(3);
      },
      "larger than the beam size");
  add(
      "MaxLengthOverLimit", [](auto& o) { o.set_max_length(1000); }, "--max_decoding_length");
  add(
      "MaxLengthOverPositions", [](auto& o) { o.set_max_length(100); }, "positions");
  add(
      "MinOverMax",
      [](auto& o) {
        o.set_max_length(5);
        o.set_min_length(6);
      },
      "min_length=6");
  add(
      "LengthPenalty", [](auto& o) { o.set_length_penalty(-1.f); }, "length_penalty");
  add(
      "Temperature", [](auto& o) { o.set_sampling_temperature(101.f); }, "sampling_temperature");
  add(
      "TopP", [](auto& o) { o.set_sampling_topp(1.5f); }, "sampling_topp=1.5");
  add(
      "TopPZero", [](auto& o) { o.set_sampling_topp(0.f); }, "sampling_topp=0");
  add(
      "TopK", [](auto& o) { o.set_sampling_topk(1000); }, "sampling_topk");
  add(
      "LongPrefix",
      [](auto& o) {
        o.set_max_length(3);
        o.set_target_prefix("abcd");
      },
      "target_prefix");
  add(
      "BadPrefixUtf8", [](auto& o) { o.set_target_prefix("\xFF"); }, "UTF-8");
  return cases;
}

class BadOptionsTest : public ::testing::TestWithParam<BadOptions> {};

TEST_P(BadOptionsTest, IsInvalidArgumentWithAMessage) {
  absl::StatusOr<engine::DecodingOptions> o = Convert(GetParam().options);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(o.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(Options, BadOptionsTest, ::testing::ValuesIn(BadCases()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(TruncationTest, OnlyEndTruncates) {
  EXPECT_FALSE(TruncationRequested(tserve::v1::TRUNCATION_UNSPECIFIED));
  EXPECT_FALSE(TruncationRequested(tserve::v1::TRUNCATION_NONE));
  EXPECT_TRUE(TruncationRequested(tserve::v1::TRUNCATION_END));
}

TEST(TruncationTest, UnknownValuesAreRefused) {
  for (int known : {0, 1, 2}) EXPECT_TRUE(ValidateTruncation(known).ok()) << known;
  for (int unknown : {3, 7, -1}) {
    absl::Status status = ValidateTruncation(unknown);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("truncation=", unknown)));
    EXPECT_THAT(status.message(), HasSubstr("TRUNCATION_END"));
  }
}

std::unique_ptr<ServedModel> Named(const std::string& name) {
  auto m = std::make_unique<ServedModel>();
  m->name = name;
  return m;
}

TEST(ModelRegistryTest, ResolvesNames) {
  ModelRegistry none;
  EXPECT_EQ(none.Resolve("").status().code(), absl::StatusCode::kNotFound);

  ModelRegistry one;
  one.Add(Named("a"));
  ASSERT_TRUE(one.Resolve("").ok());
  EXPECT_EQ((*one.Resolve(""))->name, "a");
  EXPECT_EQ(one.default_model(), *one.Resolve("a"));
  absl::Status unknown = one.Resolve("b").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.message(), HasSubstr("loaded models: a"));

  ModelRegistry two;
  two.Add(Named("a"));
  two.Add(Named("b"));
  EXPECT_EQ((*two.Resolve("b"))->name, "b");
  EXPECT_EQ(two.default_model(), nullptr);
  absl::Status empty = two.Resolve("").status();
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.message(), HasSubstr("a, b"));
}

TEST(ComputeTypeTest, AutoResolvesToTheFastestTypeAndOthersToThemselves) {
  EXPECT_EQ(ResolveComputeType(std::nullopt), engine::ComputeType::kInt8);
  for (engine::ComputeType type : {engine::ComputeType::kFloat32, engine::ComputeType::kBfloat16,
                                   engine::ComputeType::kInt8}) {
    EXPECT_EQ(ResolveComputeType(type), type) << engine::ComputeTypeName(type);
  }
}

}  // namespace
}  // namespace tserve::server

// The request side of the languages (server/request_tokens.h) on the real tokenizer files
// of the NLLB-layout and multi-target Marian test models.
#include "server/request_tokens.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/model/config.h"
#include "engine/text/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::server {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<engine::Tokenizer> Load(const std::string& name) {
  const std::string dir = absl::StrCat(TSERVE_SOURCE_DIR, "/tests/data/models/", name);
  absl::StatusOr<engine::ModelConfig> config = engine::LoadModelConfig(dir);
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<engine::Tokenizer>> tokenizer =
      engine::Tokenizer::Load(dir, *config);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return tokenizer.ok() ? std::move(tokenizer).value() : nullptr;
}

google::protobuf::RepeatedPtrField<std::string> Texts(const std::vector<std::string>& texts) {
  google::protobuf::RepeatedPtrField<std::string> out;
  for (const std::string& text : texts) *out.Add() = text;
  return out;
}

TEST(ForcedLanguageTokenTest, IsTheTargetLanguageTokenWhereTheTokenizerForcesIt) {
  std::unique_ptr<engine::Tokenizer> nllb = Load("nllb-layout-f32");
  ASSERT_NE(nllb, nullptr);
  absl::StatusOr<std::optional<int32_t>> forced = ForcedLanguageToken(*nllb, "deu_Latn");
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ(*forced, *nllb->TargetLanguageTokenId("deu_Latn"));
  // None named: EncodeTexts refuses the translation with the tokenizer's message.
  forced = ForcedLanguageToken(*nllb, "");
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_FALSE(forced->has_value());
  forced = ForcedLanguageToken(*nllb, "xx");
  EXPECT_EQ(forced.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(forced.status().message(), HasSubstr("deu_Latn, eng_Latn, fra_Latn"));

  // Marian puts its language token into the source instead.
  std::unique_ptr<engine::Tokenizer> marian = Load("multi-target-f32");
  ASSERT_NE(marian, nullptr);
  forced = ForcedLanguageToken(*marian, "por");
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_FALSE(forced->has_value());
}

TEST(EncodeTextsTest, TakesTheSourceLanguageAndRefusesMissingOrUnknownOnes) {
  std::unique_ptr<engine::Tokenizer> nllb = Load("nllb-layout-f32");
  ASSERT_NE(nllb, nullptr);
  std::vector<engine::EncodedText> out;
  ASSERT_TRUE(EncodeTexts(*nllb, 64, Texts({"the", "The old dog sleeps."}),
                          tserve::v1::TRUNCATION_NONE, {"eng_Latn", "deu_Latn"},
                          engine::LanguageRequirement::kRequired, &out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ids.front(), *nllb->TargetLanguageTokenId("eng_Latn"));  // [src] ... </s>
  EXPECT_EQ(out[0].ids.back(), nllb->eos_id());

  out.clear();
  absl::Status missing = EncodeTexts(*nllb, 64, Texts({"a", "b"}), tserve::v1::TRUNCATION_NONE,
                                     {"", "deu_Latn"}, engine::LanguageRequirement::kRequired, &out);
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.message(), HasSubstr("texts[0]: this model needs source_language"));
  EXPECT_THAT(missing.message(), HasSubstr("deu_Latn, eng_Latn, fra_Latn"));

  // An unknown code is the request's fault, named before any text.
  out.clear();
  absl::Status unknown = EncodeTexts(*nllb, 64, Texts({"a"}), tserve::v1::TRUNCATION_NONE,
                                     {"english", ""}, engine::LanguageRequirement::kOptional, &out);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.message()), ::testing::StartsWith("unknown source language 'english'"));

  std::unique_ptr<engine::Tokenizer> marian = Load("multi-target-f32");
  ASSERT_NE(marian, nullptr);
  out.clear();
  absl::Status marian_source =
      EncodeTexts(*marian, 64, Texts({"a"}), tserve::v1::TRUNCATION_NONE, {"en", "por"},
                  engine::LanguageRequirement::kRequired, &out);
  EXPECT_EQ(marian_source.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(marian_source.message(), HasSubstr("this model takes no source language"));
}

TEST(HiddenTokensTest, OnlyALeadingForcedToken) {
  EXPECT_EQ(HiddenTokens({7, 5, 7}, 7), 1u);
  EXPECT_EQ(HiddenTokens({5, 7}, 7), 0u);
  EXPECT_EQ(HiddenTokens({}, 7), 0u);
  EXPECT_EQ(HiddenTokens({7, 5}, std::nullopt), 0u);
}

TEST(ForcedFirstTokenTest, TheRequestsElseTheModels) {
  engine::ModelConfig config;
  engine::DecodingOptions decoding;
  EXPECT_EQ(ForcedFirstToken(decoding, config), std::nullopt);
  config.forced_bos_token_id = 9;
  EXPECT_EQ(ForcedFirstToken(decoding, config), 9);
  decoding.forced_first_token = 4;
  EXPECT_EQ(ForcedFirstToken(decoding, config), 4);
}

}  // namespace
}  // namespace tserve::server

// Target-language tokens on the real files of opus-mt-tc-big-en-pt (>>por<< and
// >>pob<<; tests/data/opus-mt/tc-big-en-pt): source ids and errors of a few hundred texts
// against the reference tokenizer's (tools/make_tokenization_golden.py), the language-code
// split against transformers' regular expression, and the rules on models with three
// languages and with none.
#include "engine/text/language_tokens.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/model/config.h"
#include "engine/text/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kRealModel[] = TSERVE_SOURCE_DIR "/tests/data/opus-mt/tc-big-en-pt";
constexpr char kGolden[] = TSERVE_SOURCE_DIR "/tests/data/opus-mt/tc-big-en-pt-tokenization.json";
// A limit no case reaches.
constexpr size_t kNoLimit = 1 << 20;

std::unique_ptr<Tokenizer> LoadTokenizer(const std::string& dir) {
  absl::StatusOr<ModelConfig> config = LoadModelConfig(dir);
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Load(dir, *config);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? *std::move(tok) : nullptr;
}

class RealModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ifstream in(kGolden);
    ASSERT_TRUE(in) << "cannot read " << kGolden;
    golden_ = new nlohmann::json(nlohmann::json::parse(in));
    tokenizer_ = LoadTokenizer(kRealModel).release();
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    delete golden_;
  }
  void SetUp() override {
    ASSERT_NE(golden_, nullptr);
    ASSERT_NE(tokenizer_, nullptr);
  }

  static nlohmann::json* golden_;
  static Tokenizer* tokenizer_;
};

nlohmann::json* RealModelTest::golden_ = nullptr;
Tokenizer* RealModelTest::tokenizer_ = nullptr;

TEST_F(RealModelTest, TargetLanguagesAreTheLanguageTokensOfVocabJson) {
  EXPECT_EQ(tokenizer_->target_languages(),
            (*golden_)["languages"].get<std::vector<std::string>>());
  EXPECT_EQ(tokenizer_->target_languages(), (std::vector<std::string>{"pob", "por"}));
  EXPECT_EQ(tokenizer_->eos_id(), (*golden_)["eos"].get<int32_t>());
  EXPECT_EQ(tokenizer_->unk_id(), (*golden_)["unk"].get<int32_t>());
}

// The message of each kind of refusal the reference names.
std::string ExpectedMessagePart(const std::string& kind) {
  if (kind == "unknown_language") return "; this model knows: pob, por";
  if (kind == "conflicting_languages") return ": name the target language once, in either place";
  if (kind == "language_required") {
    return "this model translates into several languages (pob, por): set target_language or "
           "start the text with >>pob<<";
  }
  if (kind == "over_limit") return "; the limit is ";
  return "(unknown error kind " + kind + ")";
}

TEST_F(RealModelTest, EveryCaseGivesTheReferenceIdsOrRefusal) {
  const nlohmann::json& cases = (*golden_)["cases"];
  ASSERT_GE(cases.size(), 300u);
  int refused = 0;
  for (const nlohmann::json& c : cases) {
    const std::string text = c["text"];
    const std::string language = c["target_language"].is_null() ? "" : c["target_language"];
    const size_t limit = c.contains("limit") ? c["limit"].get<size_t>() : kNoLimit;
    const bool truncate = c.value("truncate", false);
    const LanguageRequirement requirement = c.value("language_optional", false)
                                                ? LanguageRequirement::kOptional
                                                : LanguageRequirement::kRequired;
    SCOPED_TRACE(c.dump());
    absl::StatusOr<EncodedText> encoded =
        tokenizer_->EncodeSource(text, limit, truncate, language, requirement);
    absl::StatusOr<SourceTokens> tokens = tokenizer_->TokenizeSource(text, language, requirement);
    if (c.contains("ids")) {
      ASSERT_TRUE(encoded.ok()) << encoded.status();
      EXPECT_EQ(encoded->ids, c["ids"].get<std::vector<int32_t>>());
      EXPECT_EQ(encoded->truncated, c.value("truncated", false));
      continue;
    }
    ++refused;
    const std::string kind = c["error"];
    ASSERT_FALSE(encoded.ok()) << "expected a refusal (" << kind << "), got " << encoded->ids.size()
                               << " ids";
    EXPECT_EQ(encoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(encoded.status().message(), HasSubstr(ExpectedMessagePart(kind)));
    // Language refusals come from the first step, over-long inputs from the second:
    // callers tell them apart that way.
    if (kind == "over_limit") {
      ASSERT_TRUE(tokens.ok()) << tokens.status();
      absl::StatusOr<EncodedText> limited = tokenizer_->LimitSource(*tokens, limit, truncate);
      ASSERT_FALSE(limited.ok());
      EXPECT_EQ(limited.status(), encoded.status());
    } else {
      ASSERT_FALSE(tokens.ok());
      EXPECT_EQ(tokens.status(), encoded.status());
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_LT(refused, static_cast<int>(cases.size()) / 2);
}

TEST_F(RealModelTest, SplitsTextsAsTransformersRegularExpression) {
  const nlohmann::json& splits = (*golden_)["splits"];
  ASSERT_GE(splits.size(), 300u);
  int with_code = 0;
  for (const nlohmann::json& s : splits) {
    const std::string text = s["text"];
    SCOPED_TRACE(s.dump());
    const LanguageCodeSplit split = SplitLanguageCodes(text);
    const std::optional<std::string> code =
        s["code"].is_null() ? std::nullopt
                            : std::optional<std::string>(s["code"].get<std::string>());
    EXPECT_EQ(split.leading_code, code);
    EXPECT_EQ(split.text, s["rest"].get<std::string>());
    with_code += code.has_value() ? 1 : 0;
  }
  EXPECT_GT(with_code, 50);
}

TEST_F(RealModelTest, TargetSideIdsAndDecodingAsReference) {
  const nlohmann::json& target = (*golden_)["target"];
  ASSERT_FALSE(target.empty());
  for (const nlohmann::json& t : target) {
    const std::string text = t["text"];
    SCOPED_TRACE(text);
    const std::vector<int32_t> ids = tokenizer_->EncodeTarget(text);
    EXPECT_EQ(ids, t["ids"].get<std::vector<int32_t>>());
    std::vector<int32_t> with_eos = ids;
    with_eos.push_back(tokenizer_->eos_id());
    EXPECT_EQ(tokenizer_->DecodeTarget(with_eos), t["decoded"].get<std::string>());
  }
}

TEST_F(RealModelTest, MessagesNameTheLanguagesAndTheCode) {
  absl::StatusOr<EncodedText> field = tokenizer_->EncodeSource("Hello", kNoLimit, false, "xx");
  ASSERT_FALSE(field.ok());
  EXPECT_EQ(field.status().message(), "unknown target language 'xx'; this model knows: pob, por");

  absl::StatusOr<EncodedText> prefix = tokenizer_->EncodeSource(">>spa<< Hola", kNoLimit, false);
  ASSERT_FALSE(prefix.ok());
  EXPECT_EQ(prefix.status().message(),
            "unknown target language 'spa' (the text starts with >>spa<<); this model knows: "
            "pob, por");

  // Two codes on one line read as one: the message says why.
  absl::StatusOr<EncodedText> two =
      tokenizer_->EncodeSource(">>por<< a >>pob<< b", kNoLimit, false);
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(two.status().message(), HasSubstr("'por<< a >>pob'"));
  EXPECT_THAT(two.status().message(), HasSubstr("from the first >> to the last <<"));

  absl::StatusOr<EncodedText> conflict =
      tokenizer_->EncodeSource(">>pob<< Hello", kNoLimit, false, "por");
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().message(),
            "target_language is 'por' but the text starts with >>pob<<: name the target "
            "language once, in either place");

  // A code that is most of a line is quoted cut short, at a character boundary (here
  // before the two-byte character that straddles the cut).
  const std::string start(39, 'x');
  absl::StatusOr<EncodedText> longer = tokenizer_->EncodeSource(
      ">>" + start + "\xC3\xA9" + std::string(30, 'y') + "<< Hello", kNoLimit, false);
  ASSERT_FALSE(longer.ok());
  EXPECT_THAT(longer.status().message(), HasSubstr("'" + start + "...'"));
  EXPECT_THAT(longer.status().message(), Not(HasSubstr("y")));
}

TEST(LanguageTokensTest, LanguageTokenForm) {
  EXPECT_TRUE(IsLanguageToken(">>por<<"));
  EXPECT_TRUE(IsLanguageToken(">><<<"));  // the code "<", as the greedy ">>.+<<" reads it
  EXPECT_FALSE(IsLanguageToken(">><<"));  // no code
  EXPECT_FALSE(IsLanguageToken(">>"));
  EXPECT_FALSE(IsLanguageToken(">>por"));
  EXPECT_FALSE(IsLanguageToken("por<<"));
  EXPECT_FALSE(IsLanguageToken(">>p\nr<<"));
  EXPECT_FALSE(IsLanguageToken(" >>por<<"));
  EXPECT_EQ(LanguageToken("por"), ">>por<<");
}

TEST(LanguageTokensTest, ThreeLanguages) {
  std::unique_ptr<Tokenizer> tok =
      LoadTokenizer(TSERVE_SOURCE_DIR "/tests/data/models/multi-target-f32");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->target_languages(), (std::vector<std::string>{"pob", "por", "spa"}));
  absl::StatusOr<EncodedText> none = tok->EncodeSource("the old dog", kNoLimit, false);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "this model translates into several languages (pob, por, spa): set target_language "
            "or start the text with >>pob<<");

  absl::StatusOr<EncodedText> field = tok->EncodeSource("the old dog", kNoLimit, false, "spa");
  absl::StatusOr<EncodedText> prefix = tok->EncodeSource(">>spa<< the old dog", kNoLimit, false);
  absl::StatusOr<EncodedText> both =
      tok->EncodeSource(">>spa<<the old dog", kNoLimit, false, "spa");
  ASSERT_TRUE(field.ok()) << field.status();
  ASSERT_TRUE(prefix.ok()) << prefix.status();
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(field->ids.front(), *tok->source_vocab().Find(">>spa<<"));
  EXPECT_EQ(prefix->ids, field->ids);
  EXPECT_EQ(both->ids, field->ids);

  // Encoder states need no language; the text's own code still counts.
  absl::StatusOr<EncodedText> optional =
      tok->EncodeSource("the old dog", kNoLimit, false, "", LanguageRequirement::kOptional);
  ASSERT_TRUE(optional.ok()) << optional.status();
  EXPECT_EQ(optional->ids.size() + 1, field->ids.size());
  EXPECT_TRUE(std::equal(optional->ids.begin(), optional->ids.end(), field->ids.begin() + 1));
}

TEST(LanguageTokensTest, ModelWithoutLanguageTokens) {
  std::unique_ptr<Tokenizer> tok =
      LoadTokenizer(TSERVE_SOURCE_DIR "/tests/data/models/tiny-relu-tied-f32");
  ASSERT_NE(tok, nullptr);
  EXPECT_THAT(tok->target_languages(), IsEmpty());
  absl::StatusOr<EncodedText> plain = tok->EncodeSource("the old dog", kNoLimit, false);
  ASSERT_TRUE(plain.ok()) << plain.status();

  absl::StatusOr<EncodedText> field = tok->EncodeSource("the old dog", kNoLimit, false, "por");
  ASSERT_FALSE(field.ok());
  EXPECT_EQ(field.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(field.status().message(),
            "unknown target language 'por'; this model has no target-language tokens (it "
            "translates into one language)");
  absl::StatusOr<EncodedText> prefix = tok->EncodeSource(">>por<< the old dog", kNoLimit, false);
  ASSERT_FALSE(prefix.ok());
  EXPECT_THAT(prefix.status().message(), HasSubstr("the text starts with >>por<<"));

  // Spans that are not at the start are removed, as transformers removes them.
  absl::StatusOr<EncodedText> middle = tok->EncodeSource("the old >>x<< dog", kNoLimit, false);
  absl::StatusOr<EncodedText> without = tok->EncodeSource("the old  dog", kNoLimit, false);
  ASSERT_TRUE(middle.ok()) << middle.status();
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(middle->ids, without->ids);
}

}  // namespace
}  // namespace tserve::engine

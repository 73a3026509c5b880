// End-to-end tests of target languages: the real tserve-server serving a model
// with three target-language tokens (tests/data/models/multi-target-f32:
// >>por<<, >>pob<< and >>spa<< in vocab.json), driven through the client
// library and the client binary. The language is given as the request field
// or as a text prefix; missing, unknown and conflicting languages are refused
// with INVALID_ARGUMENT and the server keeps serving.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kModel[] = "multi";
constexpr char kText[] = "The old dog sleeps.";

std::string ModelDir() {
  return absl::StrCat(TSERVE_SOURCE_DIR, "/tests/data/models/multi-target-f32");
}

tserve::v1::DecodingOptions Greedy() {
  tserve::v1::DecodingOptions options;
  options.set_beam_size(1);
  options.set_max_length(12);
  options.set_return_tokens(true);
  options.set_return_scores(true);
  return options;
}

tserve::v1::TranslateRequest TranslateRequest(const std::vector<std::string>& texts,
                                              const std::string& language) {
  tserve::v1::TranslateRequest request;
  request.set_model(kModel);
  for (const std::string& text : texts) request.add_texts(text);
  *request.mutable_options() = Greedy();
  request.set_target_language(language);
  return request;
}

tserve::v1::TranslateStreamRequest StreamRequest(const std::string& text,
                                                 const std::string& language) {
  tserve::v1::TranslateStreamRequest request;
  request.set_model(kModel);
  request.set_text(text);
  *request.mutable_options() = Greedy();
  request.set_target_language(language);
  return request;
}

// One server for every test: none of them changes its state.
class TargetLanguageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options options;
    options.flags = {absl::StrCat("--model=", kModel, "=", ModelDir()), "--threads=1",
                     "--compute_type=float32"};
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value().release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "the shared server did not start";
    client_ = std::make_unique<client::Client>(server_->NewChannel(), absl::Seconds(30));
  }

  absl::StatusOr<tserve::v1::TranslationResult> TranslateOne(const std::string& text,
                                                             const std::string& language) {
    absl::StatusOr<tserve::v1::TranslateResponse> response =
        client_->Translate(TranslateRequest({text}, language));
    if (!response.ok()) return response.status();
    return response->results(0);
  }

  // The streamed result, checked against the streamed tokens.
  absl::StatusOr<tserve::v1::TranslationResult> StreamOne(const std::string& text,
                                                          const std::string& language) {
    std::vector<tserve::v1::TranslateStreamResponse> messages;
    absl::Status status = client_->TranslateStream(
        StreamRequest(text, language),
        [&](const tserve::v1::TranslateStreamResponse& m) { messages.push_back(m); });
    if (!status.ok()) return status;
    if (messages.empty() || !messages.back().has_result()) {
      return absl::InternalError("the stream did not end with a result");
    }
    std::vector<int32_t> streamed;
    for (size_t i = 0; i + 1 < messages.size(); ++i)
      streamed.push_back(messages[i].token().token_id());
    const tserve::v1::TranslationResult& result = messages.back().result();
    EXPECT_EQ(streamed, std::vector<int32_t>(result.hypotheses(0).token_ids().begin(),
                                             result.hypotheses(0).token_ids().end()));
    return result;
  }

  // Encode's input_tokens for `text` (no target language needed there).
  int EncodedTokens(const std::string& text) {
    tserve::v1::EncodeRequest request;
    request.set_model(kModel);
    request.add_texts(text);
    absl::StatusOr<tserve::v1::EncodeResponse> response = client_->Encode(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? static_cast<int>(response->embeddings(0).input_tokens()) : -1;
  }

  void ExpectServing() {
    absl::StatusOr<tserve::v1::TranslationResult> ok = TranslateOne(kText, "pob");
    EXPECT_TRUE(ok.ok()) << ok.status();
    absl::StatusOr<client::Client::ServingStatus> health = client_->Health();
    ASSERT_TRUE(health.ok()) << health.status();
    EXPECT_EQ(*health, grpc::health::v1::HealthCheckResponse::SERVING);
  }

  static TestServer* server_;
  std::unique_ptr<client::Client> client_;
};

TestServer* TargetLanguageTest::server_ = nullptr;

void ExpectInvalidArgument(const absl::Status& status, const std::string& message_part) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr(message_part));
}

TEST_F(TargetLanguageTest, GetModelInfoListsTheLanguages) {
  tserve::v1::GetModelInfoRequest request;
  request.set_model(kModel);
  absl::StatusOr<tserve::v1::GetModelInfoResponse> info = client_->GetModelInfo(request);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->models_size(), 1);
  EXPECT_THAT(info->models(0).target_languages(), ElementsAre("pob", "por", "spa"));
}

TEST_F(TargetLanguageTest, FieldGivesTheLanguageTokenAndCountsIt) {
  absl::StatusOr<tserve::v1::TranslationResult> result = TranslateOne(kText, "por");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->hypotheses_size(), 1);
  EXPECT_GT(result->hypotheses(0).token_ids_size(), 0);
  // Encode takes no language: the same text is one token shorter there.
  EXPECT_EQ(static_cast<int>(result->input_tokens()), EncodedTokens(kText) + 1);
  EXPECT_EQ(static_cast<int>(result->input_tokens()),
            EncodedTokens(absl::StrCat(">>por<< ", kText)));
}

TEST_F(TargetLanguageTest, TextPrefixEqualsTheField) {
  for (const std::string language : {"por", "spa"}) {
    SCOPED_TRACE(language);
    absl::StatusOr<tserve::v1::TranslationResult> field = TranslateOne(kText, language);
    absl::StatusOr<tserve::v1::TranslationResult> prefix =
        TranslateOne(absl::StrCat(">>", language, "<< ", kText), "");
    absl::StatusOr<tserve::v1::TranslationResult> both =
        TranslateOne(absl::StrCat(">>", language, "<<", kText), language);
    ASSERT_TRUE(field.ok()) << field.status();
    ASSERT_TRUE(prefix.ok()) << prefix.status();
    ASSERT_TRUE(both.ok()) << both.status();
    for (const tserve::v1::TranslationResult* other : {&*prefix, &*both}) {
      EXPECT_EQ(other->input_tokens(), field->input_tokens());
      EXPECT_EQ(other->hypotheses(0).text(), field->hypotheses(0).text());
      EXPECT_THAT(other->hypotheses(0).token_ids(),
                  ::testing::ElementsAreArray(field->hypotheses(0).token_ids()));
      EXPECT_EQ(other->hypotheses(0).score(), field->hypotheses(0).score());
    }
  }
  // The token reaches the model: this model translates the text differently for
  // different languages.
  absl::StatusOr<tserve::v1::TranslationResult> por = TranslateOne(kText, "por");
  absl::StatusOr<tserve::v1::TranslationResult> spa = TranslateOne(kText, "spa");
  ASSERT_TRUE(por.ok()) << por.status();
  ASSERT_TRUE(spa.ok()) << spa.status();
  EXPECT_NE(por->hypotheses(0).text(), spa->hypotheses(0).text());
}

TEST_F(TargetLanguageTest, MissingLanguageIsRefusedNamingTheLanguages) {
  absl::StatusOr<tserve::v1::TranslationResult> result = TranslateOne(kText, "");
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(),
                        "the text: this model translates into several languages (pob, por, spa): "
                        "set target_language or start the text with >>pob<<");
  // A code that is not at the start of the text does not name the language.
  result = TranslateOne(absl::StrCat(kText, " >>por<<"), "");
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(), "several languages");
  ExpectServing();
}

TEST_F(TargetLanguageTest, UnknownLanguageIsRefusedListingTheKnownOnes) {
  absl::StatusOr<tserve::v1::TranslateResponse> field =
      client_->Translate(TranslateRequest({kText, kText}, "xx"));
  ASSERT_FALSE(field.ok());
  ExpectInvalidArgument(field.status(),
                        "unknown target language 'xx'; this model knows: pob, por, spa");

  absl::StatusOr<tserve::v1::TranslateResponse> prefix =
      client_->Translate(TranslateRequest({absl::StrCat(">>por<< ", kText), ">>xx<< Hello"}, ""));
  ASSERT_FALSE(prefix.ok());
  ExpectInvalidArgument(prefix.status(),
                        "texts[1]: unknown target language 'xx' (the text starts with >>xx<<); "
                        "this model knows: pob, por, spa");
  ExpectServing();
}

TEST_F(TargetLanguageTest, ConflictingFieldAndPrefixAreRefused) {
  absl::StatusOr<tserve::v1::TranslationResult> result =
      TranslateOne(absl::StrCat(">>spa<< ", kText), "por");
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(),
                        "target_language is 'por' but the text starts with >>spa<<");
  ExpectServing();
}

TEST_F(TargetLanguageTest, StreamTakesTheLanguageAsTranslateDoes) {
  absl::StatusOr<tserve::v1::TranslationResult> unary = TranslateOne(kText, "spa");
  ASSERT_TRUE(unary.ok()) << unary.status();
  for (const auto& [text, language] : std::vector<std::pair<std::string, std::string>>{
           {kText, "spa"}, {absl::StrCat(">>spa<< ", kText), ""}}) {
    SCOPED_TRACE(text + " / " + language);
    absl::StatusOr<tserve::v1::TranslationResult> streamed = StreamOne(text, language);
    ASSERT_TRUE(streamed.ok()) << streamed.status();
    EXPECT_EQ(streamed->input_tokens(), unary->input_tokens());
    EXPECT_EQ(streamed->hypotheses(0).text(), unary->hypotheses(0).text());
  }
  absl::StatusOr<tserve::v1::TranslationResult> missing = StreamOne(kText, "");
  ASSERT_FALSE(missing.ok());
  ExpectInvalidArgument(missing.status(), "several languages (pob, por, spa)");
  absl::StatusOr<tserve::v1::TranslationResult> unknown = StreamOne(kText, "xx");
  ASSERT_FALSE(unknown.ok());
  ExpectInvalidArgument(unknown.status(), "unknown target language 'xx'");
  absl::StatusOr<tserve::v1::TranslationResult> conflict =
      StreamOne(absl::StrCat(">>pob<< ", kText), "spa");
  ASSERT_FALSE(conflict.ok());
  ExpectInvalidArgument(conflict.status(), "target_language is 'spa'");
  ExpectServing();
}

TEST_F(TargetLanguageTest, EncodeNeedsNoLanguageButRefusesAnUnknownPrefix) {
  EXPECT_GT(EncodedTokens(kText), 0);
  tserve::v1::EncodeRequest request;
  request.set_model(kModel);
  request.add_texts(absl::StrCat(">>xx<< ", kText));
  absl::StatusOr<tserve::v1::EncodeResponse> response = client_->Encode(request);
  ASSERT_FALSE(response.ok());
  ExpectInvalidArgument(response.status(), "unknown target language 'xx'");
  ExpectServing();
}

TEST_F(TargetLanguageTest, ClientFlagAndInfo) {
  absl::StatusOr<tserve::v1::TranslationResult> unary = TranslateOne(kText, "por");
  ASSERT_TRUE(unary.ok()) << unary.status();
  for (const std::string stream : {"--stream=false", "--stream=true"}) {
    absl::StatusOr<ProcessResult> translated =
        RunProcess({ClientBinary(), "translate", "--address=" + server_->address(),
                    "--target_language=por", "--beam_size=1", "--max_length=12", stream, kText});
    ASSERT_TRUE(translated.ok()) << translated.status();
    EXPECT_EQ(translated->exit_code, 0) << translated->output;
    EXPECT_EQ(translated->output, unary->hypotheses(0).text() + "\n") << stream;
  }

  absl::StatusOr<ProcessResult> missing =
      RunProcess({ClientBinary(), "translate", "--address=" + server_->address(), kText});
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->exit_code, 1) << missing->output;
  EXPECT_THAT(missing->output, HasSubstr("several languages (pob, por, spa)"));

  absl::StatusOr<ProcessResult> info =
      RunProcess({ClientBinary(), "info", "--address=" + server_->address()});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->exit_code, 0) << info->output;
  EXPECT_THAT(info->output, HasSubstr(R"("target_languages":["pob","por","spa"])"));
}

}  // namespace
}  // namespace tserve::testing

// End-to-end test of the model families through the API: one real tserve-server serves a
// MarianMT model (the demo model), an NLLB-200-layout model and an M2M100-layout model
// (tests/data/models/{nllb,m2m100}-layout-f32), driven through the client library and the
// client binary. NLLB and M2M100 need a source and a target language; the target-language
// token is forced first and never shows in the response. Greedy translations of the
// golden sentences equal the reference's ids (tests/data/golden/<model>/golden.json).

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kText[] = "The old dog sleeps.";

// A served model of another family than Marian, with the languages its golden data uses
// (tools/make_golden.py: the first and second of the model's languages).
struct FamilyModel {
  std::string name;    // as served
  std::string layout;  // tests/data/models/<layout>, tests/data/golden/<layout>
  std::string source;
  std::string target;
  std::string target_token;  // the target-language token's piece
  std::vector<std::string> codes;
};

const FamilyModel kNllb{"nllb", "nllb-layout-f32", "eng_Latn", "deu_Latn", "deu_Latn",
                        {"deu_Latn", "eng_Latn", "fra_Latn"}};
const FamilyModel kM2m100{"m2m100", "m2m100-layout-f32", "en", "de", "__de__", {"de", "en", "fr"}};

std::string SourceDir(const std::string& path) { return absl::StrCat(TSERVE_SOURCE_DIR, path); }

nlohmann::json Golden(const FamilyModel& model) {
  std::ifstream in(SourceDir(absl::StrCat("/tests/data/golden/", model.layout, "/golden.json")));
  return nlohmann::json::parse(in);
}

tserve::v1::TranslateRequest Request(const FamilyModel& model, const std::string& text) {
  tserve::v1::TranslateRequest request;
  request.set_model(model.name);
  request.add_texts(text);
  request.set_source_language(model.source);
  request.set_target_language(model.target);
  tserve::v1::DecodingOptions& options = *request.mutable_options();
  options.set_beam_size(1);
  options.set_max_length(40);
  options.set_return_tokens(true);
  options.set_return_token_scores(true);
  return request;
}

tserve::v1::TranslateStreamRequest StreamRequest(const tserve::v1::TranslateRequest& unary) {
  tserve::v1::TranslateStreamRequest request;
  request.set_model(unary.model());
  request.set_text(unary.texts(0));
  *request.mutable_options() = unary.options();
  request.set_source_language(unary.source_language());
  request.set_target_language(unary.target_language());
  return request;
}

void ExpectInvalidArgument(const absl::Status& status, const std::string& message_part) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr(message_part));
}

// One server for every test: none of them changes its state.
class ModelFamiliesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options options;
    options.flags = {
        absl::StrCat("--model=marian=", SourceDir("/models/en-es-demo")),
        absl::StrCat("--model=", kNllb.name, "=", SourceDir("/tests/data/models/" + kNllb.layout)),
        absl::StrCat("--model=", kM2m100.name, "=",
                     SourceDir("/tests/data/models/" + kM2m100.layout)),
        "--threads=1", "--compute_type=float32"};
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

  absl::StatusOr<tserve::v1::TranslationResult> TranslateOne(
      const tserve::v1::TranslateRequest& request) {
    absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
    if (!response.ok()) return response.status();
    return response->results(0);
  }

  // The streamed result, checked against the streamed tokens: the same ids (the language
  // token left out in both), indexes from 0, texts adding up to the result's.
  absl::StatusOr<tserve::v1::TranslationResult> StreamOne(
      const tserve::v1::TranslateStreamRequest& request) {
    std::vector<tserve::v1::TranslateStreamResponse> messages;
    absl::Status status = client_->TranslateStream(
        request, [&](const tserve::v1::TranslateStreamResponse& m) { messages.push_back(m); });
    if (!status.ok()) return status;
    if (messages.empty() || !messages.back().has_result()) {
      return absl::InternalError("the stream did not end with a result");
    }
    std::vector<int32_t> ids;
    std::string text;
    for (size_t i = 0; i + 1 < messages.size(); ++i) {
      EXPECT_EQ(messages[i].token().index(), i);
      ids.push_back(messages[i].token().token_id());
      text += messages[i].token().text();
    }
    const tserve::v1::Hypothesis& best = messages.back().result().hypotheses(0);
    EXPECT_THAT(ids, ElementsAreArray(best.token_ids()));
    EXPECT_EQ(text, best.text());
    return messages.back().result();
  }

  absl::StatusOr<tserve::v1::EncodeResponse> Encode(const FamilyModel& model,
                                                    const std::string& source_language,
                                                    tserve::v1::Pooling pooling) {
    tserve::v1::EncodeRequest request;
    request.set_model(model.name);
    request.add_texts(kText);
    request.set_source_language(source_language);
    request.set_pooling(pooling);
    return client_->Encode(request);
  }

  void ExpectServing() {
    absl::StatusOr<tserve::v1::TranslationResult> ok = TranslateOne(Request(kNllb, kText));
    EXPECT_TRUE(ok.ok()) << ok.status();
  }

  static TestServer* server_;
  std::unique_ptr<client::Client> client_;
};

TestServer* ModelFamiliesTest::server_ = nullptr;

TEST_F(ModelFamiliesTest, GetModelInfoListsFamiliesAndLanguages) {
  absl::StatusOr<tserve::v1::GetModelInfoResponse> info =
      client_->GetModelInfo(tserve::v1::GetModelInfoRequest());
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->models_size(), 3);
  const tserve::v1::ModelInfo& marian = info->models(0);
  EXPECT_EQ(marian.name(), "marian");
  EXPECT_EQ(marian.family(), "marian");
  EXPECT_THAT(marian.source_languages(), IsEmpty());
  EXPECT_THAT(marian.target_languages(), IsEmpty());
  for (int i : {1, 2}) {
    const FamilyModel& model = i == 1 ? kNllb : kM2m100;
    const tserve::v1::ModelInfo& m = info->models(i);
    EXPECT_EQ(m.name(), model.name);
    EXPECT_EQ(m.family(), "m2m_100");
    EXPECT_THAT(m.source_languages(), ElementsAreArray(model.codes));
    EXPECT_THAT(m.target_languages(), ElementsAreArray(model.codes));
  }
}

TEST_F(ModelFamiliesTest, MarianTranslatesWithoutLanguages) {
  tserve::v1::TranslateRequest request;
  request.set_model("marian");
  request.add_texts("The children played in the park.");
  request.mutable_options()->set_beam_size(1);
  absl::StatusOr<tserve::v1::TranslationResult> first = TranslateOne(request);
  absl::StatusOr<tserve::v1::TranslationResult> again = TranslateOne(request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(first->hypotheses(0).text(), Not(IsEmpty()));
  EXPECT_EQ(first->hypotheses(0).text(), again->hypotheses(0).text());
}

// The greedy entries of the golden data without a target prefix (the API takes a prefix
// as text, the golden data as ids): the reference's ids after the forced language token,
// the same per-token scores, the source counted with its language token and </s>.
TEST_F(ModelFamiliesTest, GreedyEqualsTheGoldenIdsWithoutTheLanguageToken) {
  for (const FamilyModel& model : {kNllb, kM2m100}) {
    const nlohmann::json golden = Golden(model);
    int checked = 0;
    for (const nlohmann::json& entry : golden["greedy"]) {
      if (!entry["prefix"].empty()) continue;
      const nlohmann::json& sentence = golden["sentences"][entry["sentence"].get<size_t>()];
      SCOPED_TRACE(absl::StrCat(model.name, ": ", sentence["text"].get<std::string>()));
      tserve::v1::TranslateRequest request = Request(model, sentence["text"].get<std::string>());
      request.mutable_options()->set_max_length(entry["max_length"].get<uint32_t>());
      request.mutable_options()->set_min_length(entry["min_length"].get<uint32_t>());
      absl::StatusOr<tserve::v1::TranslationResult> result = TranslateOne(request);
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->input_tokens(), sentence["source_ids"].size());
      const std::vector<int32_t> ids = entry["ids"].get<std::vector<int32_t>>();
      const std::vector<float> scores = entry["token_scores"].get<std::vector<float>>();
      ASSERT_EQ(ids.front(), entry["forced_first_token"].get<int32_t>());
      const tserve::v1::Hypothesis& best = result->hypotheses(0);
      EXPECT_THAT(best.token_ids(), ElementsAreArray(ids.begin() + 1, ids.end()));
      ASSERT_EQ(best.token_scores_size() + 1, static_cast<int>(scores.size()));
      for (int i = 0; i < best.token_scores_size(); ++i) {
        EXPECT_NEAR(best.token_scores(i), scores[static_cast<size_t>(i) + 1], 1e-4) << i;
      }
      EXPECT_NEAR(best.score(), entry["score"].get<float>(), 1e-3);
      EXPECT_EQ(best.tokens_size(), best.token_ids_size());
      // The text drops language tokens, also those the (random) model generates later.
      EXPECT_THAT(best.text(), Not(HasSubstr(model.target_token)));
      // Deterministic, and the stream agrees with the unary call.
      absl::StatusOr<tserve::v1::TranslationResult> streamed = StreamOne(StreamRequest(request));
      ASSERT_TRUE(streamed.ok()) << streamed.status();
      EXPECT_EQ(streamed->hypotheses(0).text(), best.text());
      EXPECT_THAT(streamed->hypotheses(0).token_ids(), ElementsAreArray(best.token_ids()));
      ++checked;
    }
    EXPECT_GE(checked, 8) << model.name;
  }
}

TEST_F(ModelFamiliesTest, BeamSearchStreamsLeaveOutTheLanguageToken) {
  for (const FamilyModel& model : {kNllb, kM2m100}) {
    SCOPED_TRACE(model.name);
    tserve::v1::TranslateRequest request = Request(model, kText);
    request.mutable_options()->set_beam_size(4);
    request.mutable_options()->set_num_hypotheses(2);
    absl::StatusOr<tserve::v1::TranslationResult> unary = TranslateOne(request);
    ASSERT_TRUE(unary.ok()) << unary.status();
    ASSERT_EQ(unary->hypotheses_size(), 2);
    absl::StatusOr<tserve::v1::TranslationResult> streamed = StreamOne(StreamRequest(request));
    ASSERT_TRUE(streamed.ok()) << streamed.status();
    for (int h = 0; h < 2; ++h) {
      EXPECT_EQ(streamed->hypotheses(h).text(), unary->hypotheses(h).text());
      EXPECT_THAT(streamed->hypotheses(h).token_ids(),
                  ElementsAreArray(unary->hypotheses(h).token_ids()));
      // One score per listed token, plus end-of-sentence's when it ended there.
      EXPECT_LE(unary->hypotheses(h).token_scores_size() - unary->hypotheses(h).token_ids_size(),
                1);
    }
  }
}

TEST_F(ModelFamiliesTest, LanguagesAreRequiredAndChecked) {
  const std::string nllb_codes = "deu_Latn, eng_Latn, fra_Latn";
  tserve::v1::TranslateRequest request = Request(kNllb, kText);
  request.clear_source_language();
  absl::StatusOr<tserve::v1::TranslationResult> result = TranslateOne(request);
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(), "this model needs source_language");
  ExpectInvalidArgument(result.status(), nllb_codes);
  absl::StatusOr<tserve::v1::TranslationResult> streamed = StreamOne(StreamRequest(request));
  ASSERT_FALSE(streamed.ok());
  ExpectInvalidArgument(streamed.status(), "this model needs source_language");

  request = Request(kNllb, kText);
  request.clear_target_language();
  result = TranslateOne(request);
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(), absl::StrCat("set target_language to one of: ", nllb_codes));

  request = Request(kNllb, kText);
  request.set_target_language("xx");
  result = TranslateOne(request);
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(),
                        absl::StrCat("unknown target language 'xx'; this model knows: ", nllb_codes));
  streamed = StreamOne(StreamRequest(request));
  ASSERT_FALSE(streamed.ok());
  ExpectInvalidArgument(streamed.status(), "unknown target language 'xx'");

  request = Request(kNllb, kText);
  request.set_source_language("english");
  result = TranslateOne(request);
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(), absl::StrCat("unknown source language 'english'; this "
                                                      "model knows: ",
                                                      nllb_codes));

  // M2M100's codes are the tokens' inner names: "de" for __de__.
  request = Request(kM2m100, kText);
  request.set_target_language("__de__");
  result = TranslateOne(request);
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(),
                        "unknown target language '__de__'; this model knows: de, en, fr");

  // A Marian model takes no source language.
  request.set_model("marian");
  request.set_source_language("en");
  request.clear_target_language();
  result = TranslateOne(request);
  ASSERT_FALSE(result.ok());
  ExpectInvalidArgument(result.status(),
                        "unknown source language 'en'; this model takes no source language");
  ExpectServing();
}

TEST_F(ModelFamiliesTest, EncodeTakesTheSourceLanguage) {
  const nlohmann::json golden = Golden(kNllb);
  size_t source_tokens = 0;
  for (const nlohmann::json& sentence : golden["sentences"]) {
    if (sentence["text"] == kText) source_tokens = sentence["source_ids"].size();
  }
  ASSERT_GT(source_tokens, 0u);
  absl::StatusOr<tserve::v1::EncodeResponse> states =
      Encode(kNllb, kNllb.source, tserve::v1::POOLING_NONE);
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_EQ(states->dimension(), golden["d_model"].get<uint32_t>());
  EXPECT_EQ(states->embeddings(0).input_tokens(), source_tokens);
  EXPECT_EQ(states->embeddings(0).vectors_size(), static_cast<int>(source_tokens));

  // The language token is the encoder's first input: another language, another state.
  absl::StatusOr<tserve::v1::EncodeResponse> english =
      Encode(kNllb, "eng_Latn", tserve::v1::POOLING_FIRST);
  absl::StatusOr<tserve::v1::EncodeResponse> french =
      Encode(kNllb, "fra_Latn", tserve::v1::POOLING_FIRST);
  ASSERT_TRUE(english.ok()) << english.status();
  ASSERT_TRUE(french.ok()) << french.status();
  EXPECT_THAT(english->embeddings(0).vectors(0).values(),
              ElementsAreArray(states->embeddings(0).vectors(0).values()));
  EXPECT_THAT(french->embeddings(0).vectors(0).values(),
              Not(ElementsAreArray(english->embeddings(0).vectors(0).values())));

  absl::StatusOr<tserve::v1::EncodeResponse> missing = Encode(kNllb, "", tserve::v1::POOLING_MEAN);
  ASSERT_FALSE(missing.ok());
  ExpectInvalidArgument(missing.status(), "this model needs source_language");
  absl::StatusOr<tserve::v1::EncodeResponse> marian =
      client_->Encode([] {
        tserve::v1::EncodeRequest request;
        request.set_model("marian");
        request.add_texts(kText);
        request.set_source_language("en");
        return request;
      }());
  ASSERT_FALSE(marian.ok());
  ExpectInvalidArgument(marian.status(), "this model takes no source language");
  ExpectServing();
}

TEST_F(ModelFamiliesTest, ClientFlags) {
  absl::StatusOr<tserve::v1::TranslationResult> unary = TranslateOne(Request(kNllb, kText));
  ASSERT_TRUE(unary.ok()) << unary.status();
  for (const std::string stream : {"--stream=false", "--stream=true"}) {
    absl::StatusOr<ProcessResult> translated = RunProcess(
        {ClientBinary(), "translate", "--address=" + server_->address(), "--model=nllb",
         "--source_language=eng_Latn", "--target_language=deu_Latn", "--beam_size=1",
         "--max_length=40", stream, kText});
    ASSERT_TRUE(translated.ok()) << translated.status();
    EXPECT_EQ(translated->exit_code, 0) << translated->output;
    EXPECT_EQ(translated->output, unary->hypotheses(0).text() + "\n") << stream;
  }

  absl::StatusOr<ProcessResult> encoded =
      RunProcess({ClientBinary(), "encode", "--address=" + server_->address(), "--model=nllb",
                  "--source_language=eng_Latn", kText});
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(encoded->exit_code, 0) << encoded->output;
  EXPECT_THAT(encoded->output, HasSubstr(R"("dimension":64)"));

  absl::StatusOr<ProcessResult> missing = RunProcess(
      {ClientBinary(), "translate", "--address=" + server_->address(), "--model=m2m100", kText});
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->exit_code, 1) << missing->output;
  EXPECT_THAT(missing->output, HasSubstr("needs source_language"));

  absl::StatusOr<ProcessResult> info =
      RunProcess({ClientBinary(), "info", "--address=" + server_->address(), "--model=m2m100"});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->exit_code, 0) << info->output;
  EXPECT_THAT(info->output, HasSubstr(R"("source_languages":["de","en","fr"])"));
  EXPECT_THAT(info->output, HasSubstr(R"("family":"m2m_100")"));
}

}  // namespace
}  // namespace tserve::testing

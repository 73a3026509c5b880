// End-to-end test of the T5 family through the API: one real tserve-server serves the
// MarianMT demo model, an NLLB-200-layout model, a Flan-T5-layout model (bfloat16
// weights, gated-gelu, d_kv · heads != d_model), a T5 v1.0-layout model and a
// sentence-T5-layout model (an encoder with sentence-transformers modules). Translate
// takes a Flan-style prompt with its task prefix and gives the reference's greedy ids
// and text; Encode on sentence-T5 gives the reference's sentence-transformers embedding
// (tests/data/golden/<layout>/, tools/make_golden.py).

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/test_server.h"
#include "tests/engine/golden_data.h"

namespace tserve::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::string SourceDir(const std::string& path) { return absl::StrCat(TSERVE_SOURCE_DIR, path); }

std::string ModelFlag(const std::string& name, const std::string& layout) {
  return absl::StrCat("--model=", name, "=", SourceDir("/tests/data/models/" + layout));
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

// The text of a golden id list, from the golden "detokenize" entries.
std::string GoldenText(const GoldenModel& golden, const std::vector<int32_t>& ids) {
  for (const auto& entry : golden.json["detokenize"]) {
    if (entry["ids"].get<std::vector<int32_t>>() == ids) return entry["text"];
  }
  ADD_FAILURE() << "no golden text for " << nlohmann::json(ids).dump();
  return "";
}

// One server for every test: none of them changes its state.
class T5FamilyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options options;
    options.flags = {absl::StrCat("--model=marian=", SourceDir("/models/en-es-demo")),
                     ModelFlag("nllb", "nllb-layout-f32"),
                     ModelFlag("flan-t5", "flan-t5-layout-bf16"),
                     ModelFlag("t5", "t5-layout-f32"),
                     ModelFlag("sentence-t5", "sentence-t5-layout-f32"),
                     "--threads=1",
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

  // The golden greedy entries of `layout` as one Translate request of every
  // sentence's text (batched together by the scheduler), checked against the golden
  // ids, scores and texts.
  void ExpectGreedyEqualsGolden(const std::string& model, const std::string& layout) {
    const GoldenModel golden = LoadGolden(layout);
    tserve::v1::TranslateRequest request;
    request.set_model(model);
    std::vector<const nlohmann::json*> entries;
    std::set<int> sentences;
    for (const auto& entry : golden.json["greedy"]) {
      // The plain entries: one per sentence, no prefix, no forced token, no min_length.
      if (!entry["prefix"].empty() || entry.contains("forced_first_token") ||
          entry.value("min_length", 0) != 0 ||
          !sentences.insert(entry["sentence"].get<int>()).second) {
        continue;
      }
      entries.push_back(&entry);
      request.add_texts(golden.json["sentences"][entry["sentence"].get<int>()]["text"]);
    }
    ASSERT_FALSE(entries.empty());
    tserve::v1::DecodingOptions& options = *request.mutable_options();
    options.set_beam_size(1);
    options.set_max_length((*entries[0])["max_length"].get<int>());
    options.set_return_tokens(true);
    options.set_return_token_scores(true);
    absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->results_size(), static_cast<int>(entries.size()));
    for (size_t i = 0; i < entries.size(); ++i) {
      const nlohmann::json& entry = *entries[i];
      const tserve::v1::Hypothesis& best = response->results(i).hypotheses(0);
      const auto ids = entry["ids"].get<std::vector<int32_t>>();
      EXPECT_THAT(best.token_ids(), ElementsAreArray(ids)) << request.texts(i);
      EXPECT_NEAR(best.score(), entry["score"].get<float>(), 2e-4) << request.texts(i);
      EXPECT_EQ(best.text(), GoldenText(golden, ids)) << request.texts(i);
    }
  }

  static TestServer* server_;
  std::unique_ptr<client::Client> client_;
};

TestServer* T5FamilyTest::server_ = nullptr;

TEST_F(T5FamilyTest, GetModelInfoNamesTheFamilyAndWhatEachModelServes) {
  absl::StatusOr<tserve::v1::GetModelInfoResponse> info = client_->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  std::map<std::string, const tserve::v1::ModelInfo*> by_name;
  for (const auto& model : info->models()) by_name[model.name()] = &model;
  ASSERT_EQ(by_name.size(), 5u);
  EXPECT_EQ(by_name["flan-t5"]->family(), "t5");
  EXPECT_FALSE(by_name["flan-t5"]->encoder_only());
  EXPECT_EQ(by_name["flan-t5"]->embedding_dimension(), 64u);
  EXPECT_TRUE(by_name["flan-t5"]->source_languages().empty());
  EXPECT_TRUE(by_name["flan-t5"]->target_languages().empty());
  EXPECT_EQ(by_name["sentence-t5"]->family(), "t5");
  EXPECT_TRUE(by_name["sentence-t5"]->encoder_only());
  EXPECT_EQ(by_name["sentence-t5"]->embedding_dimension(), 48u);  // 2_Dense's out_features
  EXPECT_EQ(by_name["nllb"]->family(), "m2m_100");
  EXPECT_EQ(by_name["marian"]->family(), "marian");
}

// A Flan-style prompt ("translate English to German: …") through Translate.
TEST_F(T5FamilyTest, FlanT5PromptsWithTaskPrefixesGiveTheReferenceOutput) {
  ExpectGreedyEqualsGolden("flan-t5", "flan-t5-layout-bf16");
}

// T5 v1.0 (tied embeddings, relu), with <extra_id_N> sentinels in some texts.
TEST_F(T5FamilyTest, T5GivesTheReferenceOutputWithSentinelsInTheText) {
  ExpectGreedyEqualsGolden("t5", "t5-layout-f32");
}

TEST_F(T5FamilyTest, StreamsGiveTheUnaryTokens) {
  const GoldenModel golden = LoadGolden("flan-t5-layout-bf16");
  const std::string text = golden.json["sentences"][3]["text"];
  tserve::v1::TranslateRequest unary;
  unary.set_model("flan-t5");
  unary.add_texts(text);
  unary.mutable_options()->set_max_length(30);
  unary.mutable_options()->set_beam_size(1);
  unary.mutable_options()->set_return_tokens(true);
  absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(unary);
  ASSERT_TRUE(response.ok()) << response.status();
  tserve::v1::TranslateStreamRequest stream;
  stream.set_model("flan-t5");
  stream.set_text(text);
  *stream.mutable_options() = unary.options();
  std::vector<int32_t> streamed;
  std::string streamed_text;
  absl::Status status =
      client_->TranslateStream(stream, [&](const tserve::v1::TranslateStreamResponse& m) {
        if (m.has_token()) {
          streamed.push_back(m.token().token_id());
          streamed_text += m.token().text();
        }
      });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_THAT(streamed, ElementsAreArray(response->results(0).hypotheses(0).token_ids()));
  EXPECT_EQ(streamed_text, response->results(0).hypotheses(0).text());
}

TEST_F(T5FamilyTest, T5TakesNoLanguages) {
  for (const bool source : {true, false}) {
    tserve::v1::TranslateRequest request;
    request.set_model("flan-t5");
    request.add_texts("translate English to German: The old dog sleeps.");
    if (source) {
      request.set_source_language("en");
    } else {
      request.set_target_language("de");
    }
    absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << response.status();
  }
}

// sentence-T5: Encode's default is the sentence-transformers pipeline (mean pooling,
// the Dense module, L2 normalization); POOLING_MEAN the raw encoder mean.
TEST_F(T5FamilyTest, SentenceT5EncodeEqualsTheSentenceTransformersPipeline) {
  const GoldenModel golden = LoadGolden("sentence-t5-layout-f32");
  tserve::v1::EncodeRequest request;
  request.set_model("sentence-t5");
  std::vector<std::vector<float>> expected;
  for (const auto& entry : golden.json["sentence_embedding"]) {
    request.add_texts(golden.json["sentences"][entry["sentence"].get<int>()]["text"]);
    expected.push_back(golden.Tensor(entry["tensor"]));
  }
  absl::StatusOr<tserve::v1::EncodeResponse> response = client_->Encode(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->dimension(), 48u);
  ASSERT_EQ(response->embeddings_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(response->embeddings(i).vectors_size(), 1);
    const auto& values = response->embeddings(i).vectors(0).values();
    const std::vector<float> got(values.begin(), values.end());
    ASSERT_EQ(got.size(), expected[i].size()) << request.texts(i);
    EXPECT_GE(Cosine(got, expected[i]), 0.99999) << request.texts(i);
    EXPECT_LE(MaxAbsDiff(got, expected[i]), 1e-4f) << request.texts(i);
  }

  for (const auto& entry : golden.json["encode"]) {
    if (entry["pooling"] != "mean") continue;
    tserve::v1::EncodeRequest mean;
    mean.set_model("sentence-t5");
    mean.add_texts(golden.json["sentences"][entry["sentence"].get<int>()]["text"]);
    mean.set_pooling(tserve::v1::POOLING_MEAN);
    mean.set_normalize(entry["normalize"].get<bool>());
    absl::StatusOr<tserve::v1::EncodeResponse> raw = client_->Encode(mean);
    ASSERT_TRUE(raw.ok()) << raw.status();
    EXPECT_EQ(raw->dimension(), 56u);  // d_model
    const auto& values = raw->embeddings(0).vectors(0).values();
    EXPECT_LE(MaxAbsDiff({values.begin(), values.end()}, golden.Tensor(entry["tensor"])), 1e-4f);
  }
}

TEST_F(T5FamilyTest, AnEncoderWithoutDecoderRefusesTranslateAndKeepsServing) {
  tserve::v1::TranslateRequest request;
  request.set_model("sentence-t5");
  request.add_texts("The old dog sleeps.");
  absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << response.status();
  EXPECT_THAT(response.status().message(), HasSubstr("Encode"));
  tserve::v1::TranslateStreamRequest stream;
  stream.set_model("sentence-t5");
  stream.set_text("The old dog sleeps.");
  absl::Status status = client_->TranslateStream(stream, [](const auto&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;

  // The other models of the server still answer.
  request.set_model("marian");
  EXPECT_TRUE(client_->Translate(request).ok());
  tserve::v1::EncodeRequest encode;
  encode.set_model("sentence-t5");
  encode.add_texts("The old dog sleeps.");
  EXPECT_TRUE(client_->Encode(encode).ok());
}

TEST_F(T5FamilyTest, NllbStillTranslatesBesideT5) {
  tserve::v1::TranslateRequest request;
  request.set_model("nllb");
  request.add_texts("The old dog sleeps.");
  request.set_source_language("eng_Latn");
  request.set_target_language("deu_Latn");
  request.mutable_options()->set_return_tokens(true);
  absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_GT(response->results(0).hypotheses(0).token_ids_size(), 0);
}

}  // namespace
}  // namespace tserve::testing

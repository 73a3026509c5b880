// A published OPUS-MT model as a user downloads it: the real files of
// opus-mt-tc-big-en-pt (tests/data/opus-mt/tc-big-en-pt: transformer-big,
// special ids in the middle of the vocabulary, two target languages,
// generation rules) with random weights of exactly its shapes, written as
// pytorch_model.bin with tied views (tools/make_opus_mt_model.py, run into the
// build tree by the ctest fixture make_tc_big_model). Greedy and beam search
// must give the PyTorch reference's tokens with the language given either way:
// as the request's target language or as a >>xx<< text prefix.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace tserve {
namespace {

using engine::DecodingOptions;
using engine::TranslationModel;

constexpr char kModelDir[] = TSERVE_BINARY_DIR "/tc-big-en-pt-random";
// Scores are sums of up to 20 float32 log-probabilities of a d_model 1024 model.
constexpr float kScoreTolerance = 1e-3f;

class OpusMtCheckpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ifstream in(std::string(kModelDir) + "/golden.json");
    ASSERT_TRUE(in) << "missing " << kModelDir << "/golden.json (ctest fixture make_tc_big_model)";
    golden_ = new nlohmann::json(nlohmann::json::parse(in));
    auto model = TranslationModel::Load(kModelDir);
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = model->release();
  }
  static void TearDownTestSuite() {
    delete model_;
    delete golden_;
  }
  void SetUp() override { ASSERT_NE(model_, nullptr); }

  static std::vector<int32_t> Encode(const std::string& text, const std::string& language) {
    auto encoded = model_->tokenizer().EncodeSource(text, 512, /*truncate=*/false, language);
    EXPECT_TRUE(encoded.ok()) << encoded.status();
    return encoded.ok() ? encoded->ids : std::vector<int32_t>{};
  }

  static TranslationModel* model_;
  static nlohmann::json* golden_;
};

TranslationModel* OpusMtCheckpointTest::model_ = nullptr;
nlohmann::json* OpusMtCheckpointTest::golden_ = nullptr;

TEST_F(OpusMtCheckpointTest, ConfigAsPublished) {
  const engine::ModelConfig& c = model_->config();
  EXPECT_EQ(c.d_model, 1024);
  EXPECT_EQ(c.vocab_size, 54776);
  EXPECT_EQ(c.eos_token_id, 44670);
  EXPECT_EQ(c.pad_token_id, 54775);
  EXPECT_EQ(model_->tokenizer().unk_id(), 52024);
  EXPECT_EQ(c.num_beams, 4);
  EXPECT_TRUE(c.renormalize_logits);
  ASSERT_TRUE(c.forced_eos_token_id.has_value());
  EXPECT_EQ(*c.forced_eos_token_id, 44670);
  EXPECT_EQ(model_->tokenizer().target_languages(), (std::vector<std::string>{"pob", "por"}));
}

TEST_F(OpusMtCheckpointTest, LanguageAsFieldOrPrefixGivesTheReferenceIds) {
  for (const auto& c : (*golden_)["cases"]) {
    const std::string text = c["text"];
    const std::string language = c["target_language"];
    const auto expected = c["source_ids"].get<std::vector<int32_t>>();
    EXPECT_EQ(Encode(">>" + language + "<< " + text, ""), expected) << text;
    EXPECT_EQ(Encode(text, language), expected) << text;
  }
}

TEST_F(OpusMtCheckpointTest, GreedyAndBeamMatchReference) {
  const int max_length = (*golden_)["max_length"];
  for (const auto& c : (*golden_)["cases"]) {
    const std::string text = c["text"];
    const auto source = Encode(text, c["target_language"]);
    DecodingOptions greedy;
    greedy.max_length = max_length;
    DecodingOptions beam = greedy;
    beam.beam_size = c["beam"]["beam_size"];
    beam.num_hypotheses = c["beam"]["num_hypotheses"];
    auto results = model_->Translate({source, source}, greedy);
    ASSERT_TRUE(results.ok()) << results.status();
    EXPECT_EQ((*results)[0].hypotheses[0].ids, c["greedy"]["ids"].get<std::vector<int32_t>>())
        << text;
    EXPECT_NEAR((*results)[0].hypotheses[0].score, c["greedy"]["score"].get<float>(),
                kScoreTolerance)
        << text;
    results = model_->Translate({source}, beam);
    ASSERT_TRUE(results.ok()) << results.status();
    const auto& expected = c["beam"]["hypotheses"];
    ASSERT_EQ((*results)[0].hypotheses.size(), expected.size()) << text;
    for (size_t h = 0; h < expected.size(); ++h) {
      EXPECT_EQ((*results)[0].hypotheses[h].ids, expected[h]["ids"].get<std::vector<int32_t>>())
          << text << " hypothesis " << h;
      EXPECT_NEAR((*results)[0].hypotheses[h].score, expected[h]["score"].get<float>(),
                  kScoreTolerance)
          << text << " hypothesis " << h;
    }
  }
}

}  // namespace
}  // namespace tserve

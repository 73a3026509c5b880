// The engine against the PyTorch reference (tools/tserve_ref) on the golden
// models of tests/data: float outputs within tolerance, decoded tokens
// identical, and results independent of what else is in the batch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "engine/engine.h"
#include "engine/model/relative_position.h"
#include "golden_data.h"

namespace tserve {
namespace {

using engine::DecodingOptions;
using engine::GenerationResult;
using engine::TranslationModel;
using testing::GoldenModel;
using testing::MaxAbsDiff;

constexpr float kStateTolerance = 1e-4f;
// Logits (|logit| up to ~12 on these models) sit closer to float32's noise
// floor: even the float32 PyTorch reference differs from the float64 golden
// data by up to 1e-4. Optimised builds stay within 1e-4 (largest seen:
// 5.5e-5); the -O1 sanitizer builds round differently and reach ~1.05e-4.
#ifdef TSERVE_SANITIZED_BUILD
constexpr float kLogitTolerance = 2e-4f;
#else
constexpr float kLogitTolerance = 1e-4f;
#endif
constexpr float kScoreTolerance = 2e-4f;

class GoldenTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    golden_ = testing::LoadGolden(GetParam());
    auto model = TranslationModel::Load(golden_.model_dir.string(), golden_.Options());
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(*model);
  }

  DecodingOptions OptionsFrom(const nlohmann::json& entry) const {
    DecodingOptions options;
    options.max_length = entry["max_length"].get<int>();
    options.min_length = entry.value("min_length", 0);
    options.target_prefix = entry.value("prefix", std::vector<int32_t>{});
    options.forced_first_token = GoldenModel::ForcedFirstToken(entry);
    options.beam_size = entry.value("beam_size", 1);
    options.num_hypotheses = entry.value("num_hypotheses", 1);
    options.length_penalty = entry.value("length_penalty", 1.f);
    if (entry.contains("seed")) {
      options.sampling_temperature = entry["temperature"].get<float>();
      options.sampling_topk = entry["topk"].get<int>();
      options.sampling_topp = entry["topp"].get<float>();
      options.seed = entry["seed"].get<uint64_t>();
    }
    return options;
  }

  GenerationResult TranslateOne(int sentence, const DecodingOptions& options) const {
    auto results = model_->Translate({golden_.SourceIds(sentence)}, options);
    EXPECT_TRUE(results.ok()) << results.status();
    return results.ok() ? (*results)[0] : GenerationResult{};
  }

  void ExpectHypothesesMatch(const GenerationResult& result, const nlohmann::json& expected,
                             const std::string& what) const {
    ASSERT_EQ(result.hypotheses.size(), expected.size()) << what;
    for (size_t h = 0; h < expected.size(); ++h) {
      const auto& hyp = result.hypotheses[h];
      EXPECT_EQ(hyp.ids, expected[h]["ids"].get<std::vector<int32_t>>()) << what << " hyp " << h;
      EXPECT_NEAR(hyp.score, expected[h]["score"].get<float>(), kScoreTolerance)
          << what << " hyp " << h;
      if (expected[h].contains("token_scores")) {
        EXPECT_LE(
            MaxAbsDiff(hyp.token_scores, expected[h]["token_scores"].get<std::vector<float>>()),
            kScoreTolerance)
            << what << " hyp " << h;
      }
    }
  }

  GoldenModel golden_;
  std::unique_ptr<TranslationModel> model_;
};

TEST_P(GoldenTest, EncoderStatesMatchReference) {
  for (const auto& entry : golden_.json["encoder"]) {
    const int sentence = entry["sentence"].get<int>();
    auto states = model_->EncoderStates({golden_.SourceIds(sentence)});
    ASSERT_TRUE(states.ok()) << states.status();
    EXPECT_LE(MaxAbsDiff((*states)[0], golden_.Tensor(entry["tensor"])), kStateTolerance)
        << "sentence " << sentence;
  }
}

TEST_P(GoldenTest, DecoderLogitsMatchReference) {
  if (!model_->has_decoder()) GTEST_SKIP() << "an encoder-only model";
  const auto& decoder = model_->marian().decoder();
  const auto vocab = model_->search_vocab();
  for (const auto& entry : golden_.json["logits"]) {
    const int sentence = entry["sentence"].get<int>();
    engine::EncoderWorkspace encoder_ws;
    engine::DecoderWorkspace decoder_ws;
    auto memories =
        model_->EncodeForDecoding({golden_.SourceIds(sentence)}, encoder_ws, decoder_ws);
    auto cache = decoder.NewCache(4);
    std::vector<int32_t> inputs = {vocab.decoder_start};
    for (int32_t id : entry["prefix"].get<std::vector<int32_t>>()) inputs.push_back(id);
    std::vector<float> all_logits;
    engine::Tensor logits;
    for (int32_t token : inputs) {
      engine::DecoderRow row{token, cache.get(), memories[0].get()};
      decoder.Step({row}, decoder_ws, logits);
      all_logits.insert(all_logits.end(), logits.data(), logits.data() + logits.numel());
    }
    EXPECT_LE(MaxAbsDiff(all_logits, golden_.Tensor(entry["tensor"])), kLogitTolerance)
        << "sentence " << sentence;
  }
}

TEST_P(GoldenTest, GreedyMatchesReference) {
  for (const auto& entry : golden_.json["greedy"]) {
    const int sentence = entry["sentence"].get<int>();
    GenerationResult result = TranslateOne(sentence, OptionsFrom(entry));
    ExpectHypothesesMatch(result, nlohmann::json::array({entry}),
                          "greedy sentence " + std::to_string(sentence));
    ASSERT_EQ(result.hypotheses.size(), 1u);
    if (golden_.HasText()) {
      EXPECT_EQ(model_->tokenizer().DecodeTarget(result.hypotheses[0].ids),
                entry["text"].get<std::string>());
    }
  }
}

TEST_P(GoldenTest, BeamSearchMatchesReference) {
  for (const auto& entry : golden_.json["beam"]) {
    const int sentence = entry["sentence"].get<int>();
    ExpectHypothesesMatch(TranslateOne(sentence, OptionsFrom(entry)), entry["hypotheses"],
                          "beam sentence " + std::to_string(sentence));
  }
}

TEST_P(GoldenTest, SeededSamplingMatchesReference) {
  for (const auto& entry : golden_.json["sampling"]) {
    const int sentence = entry["sentence"].get<int>();
    ExpectHypothesesMatch(TranslateOne(sentence, OptionsFrom(entry)), entry["hypotheses"],
                          "sampling sentence " + std::to_string(sentence));
  }
}

TEST_P(GoldenTest, PooledEncodingMatchesReference) {
  for (const auto& entry : golden_.json["encode"]) {
    const int sentence = entry["sentence"].get<int>();
    const std::string pooling = entry["pooling"];
    auto vectors =
        model_->Embed({golden_.SourceIds(sentence)},
                      pooling == "mean" ? engine::Pooling::kMean : engine::Pooling::kFirst,
                      entry["normalize"].get<bool>());
    ASSERT_TRUE(vectors.ok()) << vectors.status();
    EXPECT_LE(MaxAbsDiff((*vectors)[0], golden_.Tensor(entry["tensor"])), kStateTolerance)
        << pooling << " sentence " << sentence;
  }
}

// sentence-transformers models (modules.json): pooling, dense layers and
// normalization as SentenceTransformer.encode, alone and batched.
TEST_P(GoldenTest, SentenceEmbeddingMatchesReference) {
  if (!golden_.json.contains("sentence_embedding"))
    GTEST_SKIP() << "no sentence-transformers modules";
  ASSERT_EQ(model_->default_pooling(), engine::Pooling::kSentenceModules);
  std::vector<std::vector<int32_t>> sources;
  for (const auto& entry : golden_.json["sentence_embedding"]) {
    sources.push_back(golden_.SourceIds(entry["sentence"].get<int>()));
  }
  auto batched = model_->Embed(sources, engine::Pooling::kSentenceModules, /*normalize=*/false);
  ASSERT_TRUE(batched.ok()) << batched.status();
  size_t i = 0;
  for (const auto& entry : golden_.json["sentence_embedding"]) {
    const std::vector<float> expected = golden_.Tensor(entry["tensor"]);
    auto alone = model_->Embed({sources[i]}, engine::Pooling::kSentenceModules, false);
    ASSERT_TRUE(alone.ok()) << alone.status();
    for (const std::vector<float>* got : {&(*alone)[0], &(*batched)[i]}) {
      EXPECT_LE(MaxAbsDiff(*got, expected), kStateTolerance) << "sentence " << entry["sentence"];
      double dot = 0, a = 0, b = 0;
      for (size_t j = 0; j < expected.size() && j < got->size(); ++j) {
        dot += double((*got)[j]) * expected[j];
        a += double((*got)[j]) * (*got)[j];
        b += double(expected[j]) * expected[j];
      }
      EXPECT_GE(dot / std::sqrt(a * b), 0.99999) << "sentence " << entry["sentence"];
    }
    ++i;
  }
}

// T5's relative position buckets against transformers' function.
TEST_P(GoldenTest, RelativePositionBucketsMatchReference) {
  if (!golden_.json.contains("relative_position_buckets")) GTEST_SKIP() << "not a T5 model";
  const auto& b = golden_.json["relative_position_buckets"];
  const auto relative = b["relative_positions"].get<std::vector<int64_t>>();
  for (const char* kind : {"bidirectional", "causal"}) {
    if (!b.contains(kind)) continue;
    const auto expected = b[kind].get<std::vector<int64_t>>();
    ASSERT_EQ(expected.size(), relative.size());
    for (size_t i = 0; i < relative.size(); ++i) {
      EXPECT_EQ(engine::RelativePositionBucket(relative[i], std::string(kind) == "bidirectional",
                                               b["num_buckets"].get<int64_t>(),
                                               b["max_distance"].get<int64_t>()),
                expected[i])
          << kind << " relative position " << relative[i];
    }
  }
}

// Target ids to text with the model's own tokenizer files.
TEST_P(GoldenTest, DetokenizationMatchesReference) {
  if (!golden_.json.contains("detokenize")) GTEST_SKIP() << "no detokenization goldens";
  auto tokenizer = engine::Tokenizer::Load(golden_.model_dir.string(), model_->config());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  for (const auto& entry : golden_.json["detokenize"]) {
    EXPECT_EQ((*tokenizer)->DecodeTarget(entry["ids"].get<std::vector<int32_t>>()),
              entry["text"].get<std::string>())
        << entry["ids"].dump();
  }
  // And the golden sentences' texts to their source ids (T5: sentinels included).
  for (size_t s = 0; s < golden_.json["sentences"].size(); ++s) {
    const auto& sentence = golden_.json["sentences"][s];
    if (!sentence.contains("text")) continue;
    auto ids = (*tokenizer)->EncodeSource(sentence["text"].get<std::string>(), 4096, false);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(ids->ids, golden_.SourceIds(static_cast<int>(s))) << sentence["text"];
  }
}

// Each sentence alone and inside one batch with every other sentence (lengths
// from 1 to ~40 tokens): identical tokens, states within 1e-5.
TEST_P(GoldenTest, ResultsDoNotDependOnTheBatch) {
  std::vector<std::vector<int32_t>> sources;
  for (size_t s = 0; s < golden_.json["sentences"].size(); ++s) {
    sources.push_back(golden_.SourceIds(static_cast<int>(s)));
  }
  auto batch_states = model_->EncoderStates(sources);
  ASSERT_TRUE(batch_states.ok());
  for (size_t s = 0; s < sources.size(); ++s) {
    auto alone = model_->EncoderStates({sources[s]});
    ASSERT_TRUE(alone.ok());
    EXPECT_LE(MaxAbsDiff((*alone)[0], (*batch_states)[s]), 1e-5f) << "sentence " << s;
  }
  if (!model_->has_decoder()) {
    // An encoder-only model refuses to translate, with a reason.
    auto refused = model_->Translate(sources, DecodingOptions());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("Encode"));
    return;
  }
  for (int beam : {1, 4}) {
    DecodingOptions options;
    options.beam_size = beam;
    options.num_hypotheses = beam == 1 ? 1 : 2;
    options.max_length = 40;
    auto batched = model_->Translate(sources, options);
    ASSERT_TRUE(batched.ok()) << batched.status();
    for (size_t s = 0; s < sources.size(); ++s) {
      auto alone = model_->Translate({sources[s]}, options);
      ASSERT_TRUE(alone.ok());
      ASSERT_EQ((*alone)[0].hypotheses.size(), (*batched)[s].hypotheses.size());
      for (size_t h = 0; h < (*alone)[0].hypotheses.size(); ++h) {
        EXPECT_EQ((*alone)[0].hypotheses[h].ids, (*batched)[s].hypotheses[h].ids)
            << "beam " << beam << " sentence " << s << " hyp " << h;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenTest, ::testing::ValuesIn(testing::GoldenModelNames()),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace tserve

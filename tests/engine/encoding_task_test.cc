// Encoder work done a slice at a time (EncodingTask, EncoderRun) gives the
// same bits as the whole pass at once, in every compute type: encoder states
// and the decoder's cross-attention memories, for budgets from one row per
// slice up; no slice costs more than its budget and the work left falls to 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "engine/engine.h"
#include "golden_data.h"

namespace tserve {
namespace {

using engine::ComputeType;
using engine::EncodingTask;
using engine::TranslationModel;

class EncodingTaskTest : public ::testing::TestWithParam<std::tuple<std::string, ComputeType>> {
 protected:
  void SetUp() override {
    golden_ = testing::LoadGolden(std::get<0>(GetParam()));
    auto model =
        TranslationModel::Load(golden_.model_dir.string(), golden_.Options(std::get<1>(GetParam())));
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(*model);

    // The golden sentences, then random ones up to the longest the model
    // takes, so that long sources span several slices.
    for (size_t s = 0; s < golden_.json["sentences"].size(); ++s) {
      sources_.push_back(golden_.SourceIds(static_cast<int>(s)));
    }
    const engine::ModelConfig& c = model_->config();
    std::mt19937 rng(11);
    std::uniform_int_distribution<int32_t> id(2, static_cast<int32_t>(c.vocab_size) - 2);
    const int64_t longest = std::min<int64_t>(c.max_position_embeddings, 200);
    for (int64_t length : {int64_t{1}, int64_t{2}, longest / 3, longest}) {
      std::vector<int32_t> ids;
      for (int64_t i = 0; i + 1 < length; ++i) ids.push_back(id(rng));
      ids.push_back(static_cast<int32_t>(c.eos_token_id));
      sources_.push_back(std::move(ids));
    }
  }

  // Runs `task` in slices of `budget` tokens, checking the accounting.
  static void RunInSlices(EncodingTask& task, double budget) {
    double remaining = task.remaining();
    EXPECT_GT(remaining, 0);
    int slices = 0;
    while (!task.done()) {
      const double spent = task.Run(budget);
      ASSERT_GT(spent, 0) << "no progress with budget " << budget << " after " << slices;
      EXPECT_LE(spent, budget);
      EXPECT_NEAR(task.remaining(), remaining - spent, 1e-6 * (1 + remaining));
      remaining = task.remaining();
      ++slices;
    }
    EXPECT_EQ(task.remaining(), 0);
    EXPECT_EQ(task.Run(budget), 0);
  }

  testing::GoldenModel golden_;
  std::unique_ptr<TranslationModel> model_;
  std::vector<std::vector<int32_t>> sources_;
};

TEST_P(EncodingTaskTest, StatesInSlicesAreBitIdenticalToTheWholePass) {
  // The whole pass, the padded layout (Encoder::Forward).
  engine::PaddedBatch batch = engine::PaddedBatch::FromSequences(
      sources_, static_cast<int32_t>(model_->config().pad_token_id));
  engine::EncoderWorkspace workspace;
  engine::Tensor whole;
  model_->EncodeBatch(batch, workspace, whole);
  const int64_t d = model_->config().d_model;

  auto probe = model_->StartEncoding(sources_, EncodingTask::Output::kStates);
  const double row = probe->max_row_cost();
  for (double budget : {row, 3.7 * row, 50.0, 1e9}) {
    auto task = model_->StartEncoding(sources_, EncodingTask::Output::kStates);
    RunInSlices(*task, budget);
    for (size_t b = 0; b < sources_.size(); ++b) {
      ASSERT_EQ(task->length(static_cast<int64_t>(b)), static_cast<int64_t>(sources_[b].size()));
      const float* expected = whole.data() + static_cast<int64_t>(b) * batch.max_length * d;
      const std::vector<float> got(task->states(static_cast<int64_t>(b)),
                                   task->states(static_cast<int64_t>(b)) + sources_[b].size() * d);
      const std::vector<float> want(expected, expected + sources_[b].size() * d);
      EXPECT_EQ(got, want) << "budget " << budget << " source " << b;
    }
  }
}

TEST_P(EncodingTaskTest, MemoriesInSlicesAreBitIdenticalToEncodingAtOnce) {
  engine::EncoderWorkspace encoder_workspace;
  engine::DecoderWorkspace decoder_workspace;
  const auto whole = model_->EncodeForDecoding(sources_, encoder_workspace, decoder_workspace);
  // The pre-existing path: padded states, projections over every padded row.
  engine::PaddedBatch batch = engine::PaddedBatch::FromSequences(
      sources_, static_cast<int32_t>(model_->config().pad_token_id));
  engine::Tensor states;
  model_->EncodeBatch(batch, encoder_workspace, states);
  const auto padded =
      model_->marian().decoder().MakeSourceMemories(states, batch.lengths, decoder_workspace);

  auto probe = model_->StartEncoding(sources_, EncodingTask::Output::kSourceMemories);
  const double row = probe->max_row_cost();
  for (double budget : {row, 2.5 * row, 40.0}) {
    auto task = model_->StartEncoding(sources_, EncodingTask::Output::kSourceMemories);
    RunInSlices(*task, budget);
    for (size_t b = 0; b < sources_.size(); ++b) {
      const auto memory = task->memory(static_cast<int64_t>(b));
      ASSERT_EQ(memory->length, static_cast<int64_t>(sources_[b].size()));
      EXPECT_EQ(memory->layers, whole[b]->layers) << "budget " << budget << " source " << b;
      EXPECT_EQ(memory->layers, padded[b]->layers) << "budget " << budget << " source " << b;
    }
  }
}

// A source encoded alone, sliced, equals the same source in a sliced batch:
// what lets the scheduler cut batches and single sentences anywhere.
TEST_P(EncodingTaskTest, SlicedAloneEqualsSlicedInABatch) {
  auto batch = model_->StartEncoding(sources_, EncodingTask::Output::kStates);
  RunInSlices(*batch, 7.0);
  const int64_t d = model_->config().d_model;
  for (size_t b = 0; b < sources_.size(); ++b) {
    auto alone = model_->StartEncoding({sources_[b]}, EncodingTask::Output::kStates);
    RunInSlices(*alone, alone->max_row_cost() * 5);
    const std::vector<float> a(alone->states(0), alone->states(0) + sources_[b].size() * d);
    const std::vector<float> c(batch->states(static_cast<int64_t>(b)),
                               batch->states(static_cast<int64_t>(b)) + sources_[b].size() * d);
    EXPECT_EQ(a, c) << "source " << b;
  }
}

TEST_P(EncodingTaskTest, CostGrowsWithLengthAndLayers) {
  auto one = model_->StartEncoding({sources_.back()}, EncodingTask::Output::kStates);
  auto decoding = model_->StartEncoding({sources_.back()}, EncodingTask::Output::kSourceMemories);
  const double tokens = static_cast<double>(sources_.back().size());
  // At least one token of work per token (attention adds to it).
  EXPECT_GE(one->remaining(), tokens * 0.999);
  EXPECT_LT(one->remaining(), tokens * 2);
  EXPECT_GT(decoding->remaining(), one->remaining());
}

INSTANTIATE_TEST_SUITE_P(
    Models, EncodingTaskTest,
    ::testing::Combine(
        ::testing::Values("swish-untied-f16", "gelu-separate-bf16", "tiny-relu-tied-f32"),
        ::testing::Values(ComputeType::kFloat32, ComputeType::kBfloat16, ComputeType::kInt8)),
    [](const auto& param_info) {
      std::string name = std::get<0>(param_info.param) + "_" +
                         std::string(engine::ComputeTypeName(std::get<1>(param_info.param)));
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

}  // namespace
}  // namespace tserve

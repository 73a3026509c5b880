// Position tables and the row each token takes, by family (docs/semantics.md,
// "Model families").
#include "engine/model/positions.h"

#include <cmath>
#include <string>
#include <vector>

#include "engine/model/checkpoint.h"
#include "engine/model/config.h"
#include "engine/model/relative_position.h"
#include "gtest/gtest.h"

namespace tserve::engine {
namespace {

// T5's buckets, against values of transformers' T5Attention._relative_position_bucket
// (32 buckets, max distance 128; the encoder's bidirectional, the decoder's causal).
TEST(RelativePositionTest, BucketsAreT5s) {
  const struct {
    int64_t relative;
    bool bidirectional;
    int64_t bucket;
  } cases[] = {
      {0, true, 0},     {-1, true, 1},      {1, true, 17},    {-7, true, 7},    {-8, true, 8},
      {-11, true, 8},   {-12, true, 9},     {-16, true, 10},  {-32, true, 12},  {-64, true, 14},
      {-127, true, 15}, {-5000, true, 15},  {20, true, 26},   {200, true, 31},  {0, false, 0},
      {-15, false, 15}, {-16, false, 16},   {-20, false, 17}, {-64, false, 26}, {-128, false, 31},
      {5, false, 0},    {-4095, false, 31},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RelativePositionBucket(c.relative, c.bidirectional, 32, 128), c.bucket)
        << c.relative << (c.bidirectional ? " bidirectional" : " causal");
  }
}

TEST(PositionsTest, OffsetSinusoidalTableIsFairseqs) {
  const int64_t width = 9;  // odd: a zero last column
  const std::vector<float> t = OffsetSinusoidalPositions(12, width, /*pad_row=*/1);
  const int64_t half = width / 2;
  for (int64_t p = 0; p < 12; ++p) {
    for (int64_t i = 0; i < half; ++i) {
      const double angle = static_cast<double>(p) *
                           std::exp(-static_cast<double>(i) * std::log(10000.0) / (half - 1));
      const double sin_value = p == 1 ? 0 : std::sin(angle);
      const double cos_value = p == 1 ? 0 : std::cos(angle);
      EXPECT_NEAR(t[p * width + i], sin_value, 1e-5) << p << " " << i;
      EXPECT_NEAR(t[p * width + half + i], cos_value, 1e-5) << p << " " << i;
    }
    EXPECT_EQ(t[p * width + width - 1], 0.f);
  }
}

// Rows of the tokens of one sequence, from the family's PositionTable.
std::vector<int32_t> RowsOf(const std::string& model, const std::vector<int32_t>& ids,
                            int64_t first) {
  const std::string dir = std::string(TSERVE_SOURCE_DIR) + "/tests/data/models/" + model;
  absl::StatusOr<ModelConfig> config = LoadModelConfig(dir);
  absl::StatusOr<std::unique_ptr<Checkpoint>> checkpoint = Checkpoint::Open(dir);
  if (!config.ok() || !checkpoint.ok()) {
    ADD_FAILURE() << model << ": " << config.status() << " " << checkpoint.status();
    return {};
  }
  WeightLoader weights(**checkpoint, ComputeType::kFloat32);
  absl::StatusOr<PositionTable> table =
      PositionTable::Load(weights, "model.encoder.embed_positions.weight", *config);
  if (!table.ok()) {
    ADD_FAILURE() << model << ": " << table.status();
    return {};
  }
  std::vector<int32_t> rows(ids.size());
  table->Rows(ids, first, first, rows.data());
  return rows;
}

TEST(PositionsTest, RowsByFamily) {
  // M2M100/NLLB (pad 1): non-pad tokens count from pad + 1, a pad token takes row pad.
  EXPECT_EQ(RowsOf("nllb-layout-f32", {5, 9, 2}, 0), (std::vector<int32_t>{2, 3, 4}));
  EXPECT_EQ(RowsOf("nllb-layout-f32", {5, 1, 9}, 0), (std::vector<int32_t>{2, 1, 3}));
  EXPECT_EQ(RowsOf("nllb-layout-f32", {7}, 4), (std::vector<int32_t>{6}));  // decoder step 4
  // BART: learned positions, offset 2, whatever the tokens.
  EXPECT_EQ(RowsOf("bart-layout-f32", {5, 1, 9}, 0), (std::vector<int32_t>{2, 3, 4}));
  EXPECT_EQ(RowsOf("bart-layout-f32", {7}, 4), (std::vector<int32_t>{6}));
  // Marian: positions from 0.
  EXPECT_EQ(RowsOf("tiny-relu-tied-f32", {5, 9, 0}, 0), (std::vector<int32_t>{0, 1, 2}));
}

}  // namespace
}  // namespace tserve::engine

#include "server/batching/batch_former.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tserve::server {
namespace {

using ::testing::ElementsAre;

BatchLimits Limits(int size, int64_t tokens, int rows = 1000, bool group = true) {
  return BatchLimits{size, tokens, rows, group};
}

TEST(SelectBatchTest, EmptyQueueGivesEmptyBatch) {
  EXPECT_TRUE(SelectBatch({}, Limits(8, 1000)).empty());
}

TEST(SelectBatchTest, OldestFirstThenClosestLengths) {
  std::vector<QueuedItemShape> queue = {{10, 1, 0}, {50, 1, 0}, {11, 1, 0}, {9, 1, 0}, {30, 1, 0}};
  EXPECT_THAT(SelectBatch(queue, Limits(3, 1000)), ElementsAre(0, 2, 3));
}

TEST(SelectBatchTest, ArrivalOrderWithoutGrouping) {
  std::vector<QueuedItemShape> queue = {{10, 1, 0}, {50, 1, 0}, {11, 1, 0}, {9, 1, 0}};
  EXPECT_THAT(SelectBatch(queue, Limits(3, 1000, 1000, false)), ElementsAre(0, 1, 2));
}

TEST(SelectBatchTest, PaddedTokenBudgetIsRespected) {
  // 3 × 40 = 120 > 100: the 40-token item does not fit with two others.
  std::vector<QueuedItemShape> queue = {{30, 1, 0}, {40, 1, 0}, {30, 1, 0}, {31, 1, 0}};
  const auto chosen = SelectBatch(queue, Limits(8, 100));
  EXPECT_THAT(chosen, ElementsAre(0, 2, 3));
}

TEST(SelectBatchTest, OversizedOldestGoesAlone) {
  std::vector<QueuedItemShape> queue = {{500, 1, 0}, {5, 1, 0}};
  EXPECT_THAT(SelectBatch(queue, Limits(8, 100)), ElementsAre(0));
}

TEST(SelectBatchTest, DecoderRowsLimitTheBatch) {
  std::vector<QueuedItemShape> queue = {{10, 4, 0}, {10, 4, 0}, {10, 1, 0}};
  EXPECT_THAT(SelectBatch(queue, Limits(8, 1000, 5)), ElementsAre(0, 2));
  EXPECT_TRUE(SelectBatch(queue, Limits(8, 1000, 3)).empty());
}

TEST(SelectBatchTest, PaddingRatioBoundKeepsDistantLengthsOut) {
  std::vector<QueuedItemShape> queue = {{20, 1, 0}, {21, 1, 0}, {40, 1, 0}, {19, 1, 0}};
  BatchLimits limits = Limits(8, 1000);
  limits.max_padding_ratio = 1.15;
  // {20, 21, 19}: 3 × 21 = 63 padded for 60 real (1.05); adding 40 would give 160/100.
  EXPECT_THAT(SelectBatch(queue, limits), ElementsAre(0, 1, 3));
  // The oldest still goes when nothing else fits.
  std::vector<QueuedItemShape> lonely = {{5, 1, 0}, {50, 1, 0}};
  EXPECT_THAT(SelectBatch(lonely, limits), ElementsAre(0));
}

TEST(SelectBatchTest, KindsAreNeverMixed) {
  std::vector<QueuedItemShape> queue = {{10, 0, 1}, {10, 1, 0}, {12, 0, 1}};
  EXPECT_THAT(SelectBatch(queue, Limits(8, 1000)), ElementsAre(0, 2));
}

}  // namespace
}  // namespace tserve::server

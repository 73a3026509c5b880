#include "client/latency_stats.h"

#include <vector>

#include "gtest/gtest.h"

namespace tserve::client {
namespace {

std::vector<double> OneToN(int n) {
  std::vector<double> values;
  for (int i = 1; i <= n; ++i) values.push_back(i);
  return values;
}

TEST(NearestRankPercentileTest, EmptyIsZero) {
  EXPECT_EQ(NearestRankPercentile({}, 50), 0);
}

TEST(NearestRankPercentileTest, OneToHundred) {
  const std::vector<double> values = OneToN(100);
  EXPECT_EQ(NearestRankPercentile(values, 0), 1);
  EXPECT_EQ(NearestRankPercentile(values, 1), 1);
  EXPECT_EQ(NearestRankPercentile(values, 50), 50);
  EXPECT_EQ(NearestRankPercentile(values, 90), 90);
  EXPECT_EQ(NearestRankPercentile(values, 99), 99);
  EXPECT_EQ(NearestRankPercentile(values, 99.5), 100);
  EXPECT_EQ(NearestRankPercentile(values, 100), 100);
}

TEST(NearestRankPercentileTest, RanksRoundUpWithoutFloatingPointDrift) {
  // 90 % of 10 samples is exactly the 9th; 0.9 * 10 is not exactly 9 in
  // binary floating point.
  EXPECT_EQ(NearestRankPercentile(OneToN(10), 90), 9);
  EXPECT_EQ(NearestRankPercentile(OneToN(10), 91), 10);
  EXPECT_EQ(NearestRankPercentile(OneToN(10), 50), 5);
  EXPECT_EQ(NearestRankPercentile(OneToN(3), 50), 2);
  EXPECT_EQ(NearestRankPercentile(OneToN(1000), 99.9), 999);
}

TEST(NearestRankPercentileTest, SmallSetsGiveTheMaximumForHighPercentiles) {
  EXPECT_EQ(NearestRankPercentile(OneToN(7), 99), 7);
  EXPECT_EQ(NearestRankPercentile({42}, 50), 42);
  EXPECT_EQ(NearestRankPercentile({42}, 0), 42);
}

TEST(NearestRankPercentileTest, OutOfRangePercentsAreClamped) {
  EXPECT_EQ(NearestRankPercentile(OneToN(5), -10), 1);
  EXPECT_EQ(NearestRankPercentile(OneToN(5), 250), 5);
}

TEST(SummarizeLatenciesTest, EmptyIsAllZero) {
  const LatencySummary s = SummarizeLatencies({});
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.mean_ms, 0);
  EXPECT_EQ(s.p99_ms, 0);
  EXPECT_EQ(s.max_ms, 0);
}

TEST(SummarizeLatenciesTest, SortsItsInput) {
  // 1..100 shuffled by a fixed permutation (37 is coprime with 100).
  std::vector<double> values;
  for (int i = 0; i < 100; ++i) values.push_back((i * 37) % 100 + 1);
  const LatencySummary s = SummarizeLatencies(values);
  EXPECT_EQ(s.count, 100);
  EXPECT_DOUBLE_EQ(s.mean_ms, 50.5);
  EXPECT_EQ(s.p50_ms, 50);
  EXPECT_EQ(s.p90_ms, 90);
  EXPECT_EQ(s.p99_ms, 99);
  EXPECT_EQ(s.max_ms, 100);
}

TEST(SummarizeLatenciesTest, OneSlowCallShowsOnlyInTheTail) {
  std::vector<double> values(199, 10.0);
  values.push_back(1000.0);
  const LatencySummary s = SummarizeLatencies(values);
  EXPECT_EQ(s.p50_ms, 10);
  EXPECT_EQ(s.p99_ms, 10);
  EXPECT_EQ(s.max_ms, 1000);
  EXPECT_DOUBLE_EQ(s.mean_ms, (199 * 10.0 + 1000.0) / 200);
}

}  // namespace
}  // namespace tserve::client

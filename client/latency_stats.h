#ifndef TSERVE_CLIENT_LATENCY_STATS_H_
#define TSERVE_CLIENT_LATENCY_STATS_H_

#include <cstdint>
#include <vector>

namespace tserve::client {

// Count, mean and percentiles of a set of latencies, in milliseconds.
struct LatencySummary {
  int64_t count = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// The nearest-rank percentile of `sorted` (ascending): the smallest sample
// that at least `percent` % of the samples are less than or equal to. It is
// always one of the samples (no interpolation), so p100 is the maximum and
// a p99 of fewer than 100 samples is the maximum too. 0 for no samples.
// `percent` is clamped to [0, 100]; p0 is the minimum.
double NearestRankPercentile(const std::vector<double>& sorted, double percent);

// Summarises `milliseconds` (any order); all zero when empty.
LatencySummary SummarizeLatencies(std::vector<double> milliseconds);

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_LATENCY_STATS_H_

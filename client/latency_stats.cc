#include "client/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tserve::client {

double NearestRankPercentile(const std::vector<double>& sorted, double percent) {
  if (sorted.empty()) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // Rank r (1-based) is the smallest with r / n >= percent / 100. The small
  // slack keeps rounding error (90 * 10 / 100 coming out a hair above 9) from
  // moving the rank up by one.
  const double n = static_cast<double>(sorted.size());
  double rank = std::ceil(percent * n / 100.0 - 1e-9);
  rank = std::clamp(rank, 1.0, n);
  return sorted[static_cast<size_t>(rank) - 1];
}

LatencySummary SummarizeLatencies(std::vector<double> milliseconds) {
  LatencySummary summary;
  if (milliseconds.empty()) return summary;
  std::sort(milliseconds.begin(), milliseconds.end());
  summary.count = static_cast<int64_t>(milliseconds.size());
  summary.mean_ms = std::accumulate(milliseconds.begin(), milliseconds.end(), 0.0) /
                    static_cast<double>(milliseconds.size());
  summary.p50_ms = NearestRankPercentile(milliseconds, 50);
  summary.p90_ms = NearestRankPercentile(milliseconds, 90);
  summary.p99_ms = NearestRankPercentile(milliseconds, 99);
  summary.max_ms = milliseconds.back();
  return summary;
}

}  // namespace tserve::client

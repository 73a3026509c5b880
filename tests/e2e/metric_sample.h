#ifndef TSERVE_TESTS_E2E_METRIC_SAMPLE_H_
#define TSERVE_TESTS_E2E_METRIC_SAMPLE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tserve::testing {

// The value of one series on a Prometheus text page, e.g.
// MetricSample(page, "tserve_requests_total{code=\"OK\",model=\"m\",rpc=\"Translate\"}").
// `series` is matched exactly, labels in the order the page writes them.
// NotFound when the page has no such line.
absl::StatusOr<double> MetricSample(absl::string_view page, absl::string_view series);

// MetricSample() of the server's /metrics page on `metrics_port`; a series
// the page lacks counts as 0 (a counter no event has created yet).
absl::StatusOr<double> ScrapeSample(int metrics_port, absl::string_view series);

}  // namespace tserve::testing

#endif  // TSERVE_TESTS_E2E_METRIC_SAMPLE_H_

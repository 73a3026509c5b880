#ifndef TSERVE_TESTS_DEPLOY_PROMETHEUS_SERVER_H_
#define TSERVE_TESTS_DEPLOY_PROMETHEUS_SERVER_H_

// Debian's `prometheus` server for a test: started on a free loopback port
// with a given configuration and a temporary TSDB, queried through its HTTP
// API, stopped at the end.

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {

// `config` (a Prometheus YAML configuration, e.g. deploy/prometheus.yml) with
// every scrape target replaced by `target` ("127.0.0.1:PORT") and every
// scrape_interval, evaluation_interval and scrape_timeout set to `interval`
// ("1s"). InvalidArgument when the configuration has no target or no
// scrape_interval to rewrite, so that a changed layout is noticed.
absl::StatusOr<std::string> RewriteScrapeConfig(absl::string_view config, absl::string_view target,
                                                absl::string_view interval);

// One sample of an instant query: its labels and value (NaN and ±Inf as
// Prometheus writes them).
struct QuerySample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct QueryResult {
  // "vector", "scalar", "matrix" or "string".
  std::string result_type;
  std::vector<QuerySample> samples;
  // The response body, for failure messages.
  std::string body;

  // Whether any sample's value is a finite number.
  bool HasFiniteSample() const;
};

class PrometheusServer {
 public:
  // Writes `config` to a temporary directory, checks it with `promtool check
  // config`, starts `prometheus` on a free 127.0.0.1 port and waits until
  // /-/ready answers 200.
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(absl::string_view config);

  // Stops the server (SIGKILL when SIGTERM was not enough).
  ~PrometheusServer();

  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  int port() const { return port_; }

  // GET /api/v1/query?query=<expression> (evaluated now). An error status
  // when Prometheus rejects the expression (the message has its error).
  absl::StatusOr<QueryResult> Query(absl::string_view expression) const;

  // Runs Query(expression) every `poll` until the result has a finite sample
  // or `timeout` passes; returns the last result either way (or the error of
  // an expression Prometheus rejects).
  absl::StatusOr<QueryResult> QueryUntilFinite(absl::string_view expression, absl::Duration timeout,
                                               absl::Duration poll = absl::Milliseconds(500)) const;

  // Everything prometheus wrote to stdout and stderr so far.
  std::string Log() const;

 private:
  PrometheusServer() = default;
  absl::Status Launch(int port);
  absl::Status WaitUntilReady(absl::Duration timeout);

  std::unique_ptr<TempDir> dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// `text` percent-encoded for a URL query value.
std::string UrlEncode(absl::string_view text);

}  // namespace tserve::testing

#endif  // TSERVE_TESTS_DEPLOY_PROMETHEUS_SERVER_H_

// Debian's Prometheus, configured with deploy/prometheus.yml, scrapes a live
// tserve-server under load; the request-latency p99 and every PromQL
// expression of the Grafana dashboard in deploy/ must return numbers.

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "gtest/gtest.h"
#include "tests/deploy/background_load.h"
#include "tests/deploy/dashboard_queries.h"
#include "tests/deploy/prometheus_server.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

constexpr char kModel[] = "swish";
// Prometheus scrapes every second, so a few seconds of load fill every
// rate() window below.
constexpr char kScrapeInterval[] = "1s";
// Values for the Grafana variables in the dashboard's expressions. Grafana
// makes $__rate_interval at least four scrape intervals; 15 s of 1 s scrapes
// is well above that.
const std::map<std::string, std::string>& GrafanaVariables() {
  static const auto* variables = new std::map<std::string, std::string>{
      {"model", kModel}, {"__rate_interval", "15s"},   {"__interval", "5s"},
      {"__range", "1m"}, {"datasource", "prometheus"},
  };
  return *variables;
}
// How long a query may take to show data: generous, a slow machine only
// makes the test take longer, never fail.
constexpr absl::Duration kDataTimeout = absl::Seconds(180);

std::string SourcePath(absl::string_view relative) {
  return absl::StrCat(TSERVE_SOURCE_DIR, "/", relative);
}

absl::StatusOr<std::string> ReadDashboard() {
  return ReadFile(SourcePath("deploy/grafana/dashboards/tserve.json"));
}

class PrometheusScrapeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options options;
    options.flags = {
        absl::StrCat("--model=", kModel, "=", SourcePath("tests/data/models/swish-untied-f16")),
        "--threads=1"};
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value().release();

    load_ = new BackgroundLoad(
        std::make_shared<client::Client>(server_->NewChannel(), absl::Seconds(30)), kModel);

    absl::StatusOr<std::string> config = ReadFile(SourcePath("deploy/prometheus.yml"));
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::string> rewritten = RewriteScrapeConfig(
        *config, absl::StrCat("127.0.0.1:", server_->metrics_port()), kScrapeInterval);
    ASSERT_TRUE(rewritten.ok()) << rewritten.status();
    absl::StatusOr<std::unique_ptr<PrometheusServer>> prometheus =
        PrometheusServer::Start(*rewritten);
    ASSERT_TRUE(prometheus.ok()) << prometheus.status();
    prometheus_ = std::move(prometheus).value().release();
  }

  static void TearDownTestSuite() {
    delete prometheus_;
    prometheus_ = nullptr;
    if (load_ != nullptr) {
      load_->Stop();
      // The load ran for the whole suite: its calls must have worked.
      EXPECT_GT(load_->succeeded(), 0);
      EXPECT_GT(load_->refused(), 0);
      EXPECT_EQ(load_->failed(), 0);
    }
    delete load_;
    load_ = nullptr;
    if (server_ != nullptr) {
      EXPECT_EQ(server_->Stop().value_or(-1), 0) << server_->Log();
    }
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(prometheus_, nullptr);
  }

  static TestServer* server_;
  static BackgroundLoad* load_;
  static PrometheusServer* prometheus_;
};

TestServer* PrometheusScrapeTest::server_ = nullptr;
BackgroundLoad* PrometheusScrapeTest::load_ = nullptr;
PrometheusServer* PrometheusScrapeTest::prometheus_ = nullptr;

TEST_F(PrometheusScrapeTest, ScrapesTheServerWithTheDeployedJob) {
  // The job name comes from deploy/prometheus.yml, the target from the test.
  absl::StatusOr<QueryResult> up =
      prometheus_->QueryUntilFinite("up{job=\"tserve\"} == 1", kDataTimeout);
  ASSERT_TRUE(up.ok()) << up.status();
  ASSERT_EQ(up->samples.size(), 1u) << up->body << "\n" << prometheus_->Log();
  EXPECT_EQ(up->samples[0].labels["instance"], absl::StrCat("127.0.0.1:", server_->metrics_port()));
}

TEST_F(PrometheusScrapeTest, RequestLatencyP99IsANumber) {
  absl::StatusOr<QueryResult> p99 = prometheus_->QueryUntilFinite(
      "histogram_quantile(0.99, rate(tserve_request_duration_seconds_bucket[1m]))", kDataTimeout);
  ASSERT_TRUE(p99.ok()) << p99.status();
  ASSERT_TRUE(p99->HasFiniteSample()) << p99->body;
  // One series per (rpc, model) with calls in the last minute, all under
  // the served model; a latency is never 0 s.
  for (const QuerySample& sample : p99->samples) {
    if (!std::isfinite(sample.value)) continue;
    EXPECT_GT(sample.value, 0) << p99->body;
    EXPECT_EQ(sample.labels.at("model"), kModel) << p99->body;
  }
}

TEST_F(PrometheusScrapeTest, EveryDashboardQueryReturnsData) {
  absl::StatusOr<std::string> dashboard = ReadDashboard();
  ASSERT_TRUE(dashboard.ok()) << dashboard.status();
  absl::StatusOr<std::vector<DashboardQuery>> panels = PanelQueries(*dashboard);
  ASSERT_TRUE(panels.ok()) << panels.status();
  absl::StatusOr<std::vector<DashboardQuery>> variables = VariableQueries(*dashboard);
  ASSERT_TRUE(variables.ok()) << variables.status();
  std::vector<DashboardQuery> queries = *panels;
  queries.insert(queries.end(), variables->begin(), variables->end());
  ASSERT_GE(panels->size(), 10u) << "the dashboard has too few panel queries";
  ASSERT_FALSE(variables->empty()) << "the dashboard has no model variable";

  for (const DashboardQuery& query : queries) {
    SCOPED_TRACE(query.source);
    absl::StatusOr<std::string> expression =
        SubstituteVariables(query.expression, GrafanaVariables());
    ASSERT_TRUE(expression.ok()) << expression.status();
    absl::StatusOr<QueryResult> result = prometheus_->QueryUntilFinite(*expression, kDataTimeout);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->HasFiniteSample())
        << "`" << *expression << "` returned no number: " << result->body;
  }
  // The model selector offers the served model.
  for (const DashboardQuery& query : *variables) {
    if (query.source != "variable 'model'") continue;
    absl::StatusOr<QueryResult> result = prometheus_->Query(query.expression);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->samples.size(), 1u) << result->body;
    EXPECT_EQ(result->samples[0].labels["model"], kModel);
  }
}

TEST(DashboardTest, ShowsEveryServingMetricPerModel) {
  // The panels the deployment issue asks for, by the metric each reads.
  const std::vector<std::string> wanted = {
      "tserve_requests_total",                      // request and error rate by code
      "tserve_request_duration_seconds_bucket",     // latency p50/p95/p99
      "tserve_queue_wait_seconds_bucket",           // queue wait
      "tserve_time_to_first_token_seconds_bucket",  // time to first token
      "tserve_inter_token_latency_seconds_bucket",  // inter-token latency
      "tserve_batch_size_bucket",                   // batch size
      "tserve_batch_padding_ratio",                 // padding ratio
      "tserve_generated_tokens_total",              // generated tokens/s
      "tserve_queue_depth_sentences",               // queue depth
      "tserve_live_sequences",                      // live sequences
  };
  absl::StatusOr<std::string> dashboard = ReadDashboard();
  ASSERT_TRUE(dashboard.ok()) << dashboard.status();
  absl::StatusOr<std::vector<DashboardQuery>> panels = PanelQueries(*dashboard);
  ASSERT_TRUE(panels.ok()) << panels.status();
  std::string all;
  for (const DashboardQuery& query : *panels) absl::StrAppend(&all, query.expression, "\n");
  for (const std::string& metric : wanted) {
    EXPECT_NE(all.find(metric), std::string::npos) << "no panel queries " << metric;
  }
  // Every panel query is per model: it filters on the dashboard's variable.
  for (const DashboardQuery& query : *panels) {
    if (query.expression.find("tserve_build_info") != std::string::npos) continue;
    EXPECT_NE(query.expression.find("model=~\"$model\""), std::string::npos)
        << query.source << ": " << query.expression;
  }
}

}  // namespace
}  // namespace tserve::testing

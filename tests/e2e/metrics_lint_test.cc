// The /metrics page passes Prometheus' own linter, `promtool check metrics`.

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

TEST(MetricsLintTest, PromtoolReportsNothing) {
  const std::string promtool = FindInPath("promtool");
  if (promtool.empty()) {
    GTEST_SKIP() << "promtool is missing (Debian package 'prometheus'; scripts/install-deps.sh "
                    "installs it)";
  }
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();

  // Scrape twice so that the exposer's own counters are non-zero as well.
  ASSERT_TRUE(HttpGet((*server)->metrics_port(), "/metrics").ok());
  absl::StatusOr<HttpResponse> page = HttpGet((*server)->metrics_port(), "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->status_code, 200);

  TempDir dir;
  ASSERT_TRUE(WriteFile(dir.File("metrics.txt"), page->body).ok());
  RunOptions options;
  options.stdin_file = dir.File("metrics.txt");
  absl::StatusOr<ProcessResult> lint = RunProcess({promtool, "check", "metrics"}, options);
  ASSERT_TRUE(lint.ok()) << lint.status();
  EXPECT_EQ(lint->exit_code, 0) << lint->output << "\nfor the page:\n" << page->body;
  EXPECT_EQ(lint->output, "") << "for the page:\n" << page->body;
}

}  // namespace
}  // namespace tserve::testing

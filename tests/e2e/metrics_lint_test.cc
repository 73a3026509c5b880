// The /metrics page passes Prometheus' own linter, `promtool check metrics`.

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_server.h"
#include "tserve/v1/tserve.grpc.pb.h"

namespace tserve::testing {
namespace {

TEST(MetricsLintTest, PromtoolReportsNothing) {
  const std::string promtool = FindInPath("promtool");
  if (promtool.empty()) {
    GTEST_SKIP() << "promtool is missing (Debian package 'prometheus'; scripts/install-deps.sh "
                    "installs it)";
  }
  // With a model and some traffic, so every labelled series has samples.
  TestServer::Options server_options;
  server_options.flags = {
      std::string("--model=swish=") + TSERVE_SOURCE_DIR + "/tests/data/models/swish-untied-f16",
      "--threads=1"};
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = tserve::v1::Translator::NewStub((*server)->NewChannel());
  for (const char* model : {"swish", "unknown"}) {
    grpc::ClientContext context;
    tserve::v1::TranslateRequest request;
    request.set_model(model);
    request.add_texts("The old dog sleeps.");
    tserve::v1::TranslateResponse response;
    stub->Translate(&context, request, &response);
  }

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

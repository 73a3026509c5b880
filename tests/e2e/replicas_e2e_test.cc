// Two tserve-server replicas behind one client channel: the client library
// spreads calls over both with gRPC's round_robin policy.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gtest/gtest.h"
#include "tests/e2e/metric_sample.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

constexpr char kTranslateOk[] =
    "tserve_requests_total{code=\"OK\",model=\"swish\",rpc=\"Translate\"}";

TestServer::Options Replica() {
  TestServer::Options options;
  options.flags = {
      absl::StrCat("--model=swish=", TSERVE_SOURCE_DIR, "/tests/data/models/swish-untied-f16"),
      "--threads=1"};
  return options;
}

tserve::v1::TranslateRequest Request() {
  tserve::v1::TranslateRequest request;
  request.add_texts("The old dog sleeps.");
  request.mutable_options()->set_beam_size(1);
  request.mutable_options()->set_max_length(20);
  return request;
}

TEST(ReplicasTest, RoundRobinSendsCallsToBothReplicas) {
  absl::StatusOr<std::unique_ptr<TestServer>> first = TestServer::Start(Replica());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<TestServer>> second = TestServer::Start(Replica());
  ASSERT_TRUE(second.ok()) << second.status();

  client::ClientOptions options;
  options.address = absl::StrCat((*first)->address(), ",", (*second)->address());
  absl::StatusOr<std::unique_ptr<client::Client>> client = client::Client::Create(options);
  ASSERT_TRUE(client.ok()) << client.status();

  // Sequential calls, then concurrent ones; every answer is the same text.
  constexpr int kSequential = 40;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  absl::StatusOr<tserve::v1::TranslateResponse> reference = (*client)->Translate(Request());
  ASSERT_TRUE(reference.ok()) << reference.status();
  const std::string text = reference->results(0).hypotheses(0).text();
  for (int i = 1; i < kSequential; ++i) {
    absl::StatusOr<tserve::v1::TranslateResponse> response = (*client)->Translate(Request());
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->results(0).hypotheses(0).text(), text);
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<tserve::v1::TranslateResponse> response = (*client)->Translate(Request());
        if (!response.ok() || response->results(0).hypotheses(0).text() != text) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;

  // Each replica counts the calls it answered. round_robin alternates
  // between connected replicas, so each has far more than a few; a
  // pick_first channel would have sent everything to one.
  absl::StatusOr<double> on_first = ScrapeSample((*first)->metrics_port(), kTranslateOk);
  absl::StatusOr<double> on_second = ScrapeSample((*second)->metrics_port(), kTranslateOk);
  ASSERT_TRUE(on_first.ok()) << on_first.status();
  ASSERT_TRUE(on_second.ok()) << on_second.status();
  constexpr int kCalls = kSequential + kThreads * kPerThread;
  EXPECT_EQ(*on_first + *on_second, kCalls);
  EXPECT_GE(*on_first, kCalls / 4);
  EXPECT_GE(*on_second, kCalls / 4);

  // A connected client holds the servers' shutdown back; close it first.
  client->reset();
  EXPECT_EQ((*first)->Stop().value_or(-1), 0) << (*first)->Log();
  EXPECT_EQ((*second)->Stop().value_or(-1), 0) << (*second)->Log();
}

// The CLI takes the same comma-separated list.
TEST(ReplicasTest, ClientCommandReachesBothReplicas) {
  absl::StatusOr<std::unique_ptr<TestServer>> first = TestServer::Start(Replica());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<TestServer>> second = TestServer::Start(Replica());
  ASSERT_TRUE(second.ok()) << second.status();
  TempDir dir;
  RunOptions run_options;
  run_options.timeout = absl::Seconds(120);
  ASSERT_TRUE(WriteFile(dir.File("input.txt"), "The old dog sleeps.\nthe\n").ok());

  absl::StatusOr<ProcessResult> bench = RunProcess(
      {ClientBinary(), "bench", "--address=" + (*first)->address() + "," + (*second)->address(),
       "--input=" + dir.File("input.txt"), "--requests=40", "--concurrency=2", "--beam_size=1",
       "--max_length=20"},
      run_options);
  ASSERT_TRUE(bench.ok()) << bench.status();
  ASSERT_EQ(bench->exit_code, 0) << bench->output;

  absl::StatusOr<double> on_first = ScrapeSample((*first)->metrics_port(), kTranslateOk);
  absl::StatusOr<double> on_second = ScrapeSample((*second)->metrics_port(), kTranslateOk);
  ASSERT_TRUE(on_first.ok()) << on_first.status();
  ASSERT_TRUE(on_second.ok()) << on_second.status();
  EXPECT_EQ(*on_first + *on_second, 40);
  EXPECT_GE(*on_first, 10);
  EXPECT_GE(*on_second, 10);
}

}  // namespace
}  // namespace tserve::testing

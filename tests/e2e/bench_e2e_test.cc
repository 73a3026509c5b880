// `tserve-client bench` against a live tserve-server: its JSON summary adds
// up, agrees with what the server counted and answered, and provoked cancels
// and short deadlines come back as the expected codes only.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/metric_sample.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kTexts = {"The old dog sleeps.", "the",
                                         "The young cat waits near the river."};

std::string Series(absl::string_view rpc, absl::string_view code) {
  return absl::StrCat("tserve_requests_total{code=\"", code, "\",model=\"swish\",rpc=\"", rpc,
                      "\"}");
}

class BenchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    std::string input;
    for (const std::string& text : kTexts) absl::StrAppend(&input, text, "\n");
    ASSERT_TRUE(WriteFile(dir_->File("input.txt"), input).ok());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    TestServer::Options options;
    options.flags = {
        absl::StrCat("--model=swish=", TSERVE_SOURCE_DIR, "/tests/data/models/swish-untied-f16"),
        "--threads=1"};
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // Runs tserve-client bench with `flags` and --json against the server.
  ProcessResult Bench(const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {ClientBinary(), "bench", "--address=" + server_->address(),
                                     "--input=" + dir_->File("input.txt"), "--json"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    RunOptions options;
    options.timeout = absl::Seconds(240);
    absl::StatusOr<ProcessResult> result = RunProcess(argv, options);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(ProcessResult());
  }

  // The JSON summary line of a bench run's output.
  static nlohmann::json Summary(const ProcessResult& run) {
    for (absl::string_view line : absl::StrSplit(run.output, '\n')) {
      if (absl::StartsWith(line, "{")) {
        nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        EXPECT_FALSE(json.is_discarded()) << line;
        return json;
      }
    }
    ADD_FAILURE() << "no JSON line in:\n" << run.output;
    return nlohmann::json::object();
  }

  // Counts that hold for any run: every call succeeded or failed, the
  // latency percentiles are ordered and describe the successful calls.
  static void ExpectConsistent(const nlohmann::json& s) {
    EXPECT_EQ(s["requests"].get<int64_t>(), s["ok"].get<int64_t>() + s["errors"].get<int64_t>());
    EXPECT_EQ(s["errors"].get<int64_t>(),
              s["expected_errors"].get<int64_t>() + s["unexpected_errors"].get<int64_t>());
    int64_t by_code = 0;
    for (const auto& [code, counts] : s["errors_by_code"].items()) {
      by_code += counts["expected"].get<int64_t>() + counts["unexpected"].get<int64_t>();
    }
    EXPECT_EQ(by_code, s["errors"].get<int64_t>());
    const nlohmann::json& latency = s["latency_ms"];
    EXPECT_EQ(latency["count"].get<int64_t>(), s["ok"].get<int64_t>());
    EXPECT_LE(latency["p50"].get<double>(), latency["p90"].get<double>());
    EXPECT_LE(latency["p90"].get<double>(), latency["p99"].get<double>());
    EXPECT_LE(latency["p99"].get<double>(), latency["max"].get<double>());
    int64_t requests = 0;
    for (const auto& [rpc, r] : s["rpcs"].items()) requests += r["requests"].get<int64_t>();
    EXPECT_EQ(requests, s["requests"].get<int64_t>());
  }

  static TempDir* dir_;
  std::unique_ptr<TestServer> server_;
};

TempDir* BenchTest::dir_ = nullptr;

TEST_F(BenchTest, CountsAddUpAndMatchTheServer) {
  // Greedy decoding gives every text the same tokens in any batch, so the
  // tokens the bench counts can be checked against single calls.
  client::Client client(server_->NewChannel(), absl::Seconds(30));
  int64_t tokens_per_cycle = 0;
  for (const std::string& text : kTexts) {
    tserve::v1::TranslateRequest request;
    request.add_texts(text);
    request.mutable_options()->set_beam_size(1);
    request.mutable_options()->set_max_length(24);
    request.mutable_options()->set_return_token_scores(true);
    absl::StatusOr<tserve::v1::TranslateResponse> response = client.Translate(request);
    ASSERT_TRUE(response.ok()) << response.status();
    tokens_per_cycle += response->results(0).hypotheses(0).token_scores_size();
  }
  ASSERT_GT(tokens_per_cycle, 0);

  // 3 warm-up calls take texts 0-5, the 24 measured calls texts 6-53:
  // sixteen passes over the three input texts.
  const ProcessResult run =
      Bench({"--requests=24", "--concurrency=3", "--texts_per_request=2", "--warmup_requests=3",
             "--beam_size=1", "--max_length=24"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json s = Summary(run);
  ExpectConsistent(s);
  EXPECT_EQ(s["concurrency"], 3);
  EXPECT_EQ(s["requests"], 24);
  EXPECT_EQ(s["ok"], 24);
  EXPECT_EQ(s["errors"], 0);
  EXPECT_EQ(s["sentences"], 24 * 2);
  EXPECT_EQ(s["ok_sentences"], 24 * 2);
  EXPECT_EQ(s["target_tokens"].get<int64_t>(), 16 * tokens_per_cycle);
  EXPECT_GT(s["seconds"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(s["sentences_per_s"].get<double>(),
                   s["ok_sentences"].get<double>() / s["seconds"].get<double>());
  EXPECT_EQ(s["rpcs"]["translate"]["requests"], 24);

  // The server answered the 3 single calls, the 3 warm-up calls and the 24
  // measured ones.
  absl::StatusOr<double> served = ScrapeSample(server_->metrics_port(), Series("Translate", "OK"));
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(*served, 3 + 3 + 24);
}

TEST_F(BenchTest, MixedCallsAreCountedPerRpc) {
  const ProcessResult run =
      Bench({"--requests=40", "--concurrency=4", "--texts_per_request=2",
             "--mix=translate:2,stream:1,encode:1", "--beam_size=1", "--max_length=16"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json s = Summary(run);
  ExpectConsistent(s);
  EXPECT_EQ(s["ok"], 40);
  const nlohmann::json& rpcs = s["rpcs"];
  int64_t translate = 0, stream = 0, encode = 0;
  if (rpcs.contains("translate")) translate = rpcs["translate"]["requests"].get<int64_t>();
  if (rpcs.contains("stream")) stream = rpcs["stream"]["requests"].get<int64_t>();
  if (rpcs.contains("encode")) encode = rpcs["encode"]["requests"].get<int64_t>();
  EXPECT_GT(translate, 0);
  EXPECT_GT(stream, 0);
  EXPECT_GT(encode, 0);
  // A stream call carries one text, the others two.
  EXPECT_EQ(s["sentences"].get<int64_t>(), 2 * translate + stream + 2 * encode);
  if (stream > 0) {
    EXPECT_TRUE(rpcs["stream"].contains("first_token_ms")) << rpcs["stream"].dump();
  }

  for (const auto& [rpc, calls] :
       {std::pair{"Translate", translate}, {"TranslateStream", stream}, {"Encode", encode}}) {
    absl::StatusOr<double> served = ScrapeSample(server_->metrics_port(), Series(rpc, "OK"));
    ASSERT_TRUE(served.ok()) << served.status();
    EXPECT_EQ(*served, calls) << rpc;
  }
}

TEST_F(BenchTest, CancelsAndShortDeadlinesGiveOnlyExpectedCodes) {
  const ProcessResult run = Bench(
      {"--requests=80", "--concurrency=4", "--texts_per_request=2",
       "--mix=translate:2,stream:1,encode:1", "--cancel_fraction=0.3", "--cancel_within_ms=20",
       "--short_deadline_fraction=0.3", "--short_deadline_ms=2", "--beam_size=1",
       "--max_length=40"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json s = Summary(run);
  ExpectConsistent(s);
  EXPECT_EQ(s["requests"], 80);
  EXPECT_EQ(s["unexpected_errors"], 0);
  EXPECT_GT(s["cancel_attempts"].get<int64_t>(), 0);
  EXPECT_GT(s["short_deadline_calls"].get<int64_t>(), 0);
  EXPECT_GT(s["ok"].get<int64_t>(), 0);
  // Some of the provoked failures happened; none of any other kind.
  EXPECT_GT(s["expected_errors"].get<int64_t>(), 0);
  for (const auto& [code, counts] : s["errors_by_code"].items()) {
    EXPECT_THAT((std::set<std::string>{"CANCELLED", "DEADLINE_EXCEEDED"}),
                ::testing::Contains(code));
    EXPECT_EQ(counts["unexpected"], 0) << code;
  }

  // Afterwards the server is healthy, holds no abandoned work and answers
  // as before.
  client::Client client(server_->NewChannel(), absl::Seconds(30));
  absl::StatusOr<client::Client::ServingStatus> health = client.Health("tserve.v1.Translator");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, grpc::health::v1::HealthCheckResponse::SERVING);
  for (const char* gauge : {"tserve_queue_depth_sentences{model=\"swish\"}",
                            "tserve_live_sequences{model=\"swish\"}"}) {
    // Cancelled work leaves within a decoder step; give it ample time.
    absl::StatusOr<double> value;
    for (int attempt = 0; attempt < 300; ++attempt) {
      value = ScrapeSample(server_->metrics_port(), gauge);
      if (value.ok() && *value == 0) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    ASSERT_TRUE(value.ok()) << value.status();
    EXPECT_EQ(*value, 0) << gauge;
  }
  const ProcessResult after = Bench({"--requests=6", "--beam_size=1", "--max_length=16"});
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(Summary(after)["ok"], 6);
}

TEST_F(BenchTest, UnexpectedErrorsFailTheRun) {
  const ProcessResult run = Bench({"--requests=5", "--model=nope"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("5 calls failed unexpectedly"));
  const nlohmann::json s = Summary(run);
  ExpectConsistent(s);
  EXPECT_EQ(s["ok"], 0);
  EXPECT_EQ(s["unexpected_errors"], 5);
  EXPECT_EQ(s["errors_by_code"]["NOT_FOUND"]["unexpected"], 5);
}

TEST_F(BenchTest, BadFlagsAreUsageErrors) {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--mix=translate:1,dance:2"}, {"--concurrency=0"},
        {"--cancel_fraction=0.7", "--short_deadline_fraction=0.7"},
        {"--input=/nonexistent/input.txt"}}) {
    const ProcessResult run = Bench(flags);
    EXPECT_EQ(run.exit_code, 2) << flags[0] << "\n" << run.output;
  }
}

}  // namespace
}  // namespace tserve::testing

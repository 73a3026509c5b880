// End-to-end tests of the serving path: the real tserve-server with the test
// models, driven through the client library (tserve::client::Client).

#include <atomic>
#include <cmath>
#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

using ::testing::HasSubstr;

std::string ModelDir(const std::string& name) {
  return absl::StrCat(TSERVE_SOURCE_DIR, "/tests/data/models/", name);
}

// Source sentences of the golden data of swish-untied-f16 and their greedy
// translations with max_length 40 (tests/data/golden/swish-untied-f16).
const char* const kSources[] = {"The old dog sleeps.", "the"};

std::unique_ptr<client::Client> NewClient(const TestServer& server,
                                          absl::Duration timeout = absl::Seconds(30)) {
  return std::make_unique<client::Client>(server.NewChannel(), timeout);
}

tserve::v1::DecodingOptions Greedy() {
  tserve::v1::DecodingOptions options;
  options.set_beam_size(1);
  options.set_max_length(40);
  return options;
}

// One server with two models for the tests that only query it, in float32
// so that its outputs can be compared with the reference's golden data.
class ServingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options options;
    options.flags = {"--model=swish=" + ModelDir("swish-untied-f16"),
                     "--model=gelu=" + ModelDir("gelu-separate-bf16"),
                     "--threads=1",
                     "--max_texts_per_request=8",
                     "--max_input_tokens=16",
                     "--compute_type=float32"};
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value().release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "the shared server did not start";
    client_ = NewClient(*server_);
  }

  absl::StatusOr<tserve::v1::TranslateResponse> Translate(std::vector<std::string> texts,
                                                          tserve::v1::DecodingOptions options,
                                                          const std::string& model = "swish") {
    tserve::v1::TranslateRequest request;
    request.set_model(model);
    for (const std::string& t : texts) request.add_texts(t);
    *request.mutable_options() = options;
    return client_->Translate(request);
  }

  static TestServer* server_;
  std::unique_ptr<client::Client> client_;
};

TestServer* ServingTest::server_ = nullptr;

std::string GoldenGreedyText(int sentence) {
  // The golden file's "text" is the decoded greedy output of each sentence;
  // sentences 1 and 0 of the golden data are kSources[0] and kSources[1].
  std::ifstream in(
      absl::StrCat(TSERVE_SOURCE_DIR, "/tests/data/golden/swish-untied-f16/golden.json"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string json = buffer.str();
  // Find the greedy entry: "max_length": 40, ... "sentence": N, "text": "...".
  const std::string key = absl::StrCat("\"sentence\": ", sentence, ",\n   \"text\": \"");
  size_t at = json.find("\"greedy\"");
  at = json.find(key, at);
  if (at == std::string::npos) return "";
  at += key.size();
  std::string text;
  while (at < json.size() && json[at] != '"') {
    if (json[at] == '\\' && json.compare(at, 2, "\\u") == 0) {
      // Only \u2581 occurs in these texts.
      text += "\xE2\x96\x81";
      at += 6;
      continue;
    }
    text += json[at++];
  }
  return text;
}

TEST_F(ServingTest, TranslateManyTextsInOrderMatchesGolden) {
  absl::StatusOr<tserve::v1::TranslateResponse> response =
      Translate({kSources[0], kSources[1], kSources[0]}, Greedy());
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->results_size(), 3);
  EXPECT_EQ(response->model(), "swish");
  const std::string golden0 = GoldenGreedyText(1);
  const std::string golden1 = GoldenGreedyText(0);
  ASSERT_FALSE(golden0.empty());
  EXPECT_EQ(response->results(0).hypotheses(0).text(), golden0);
  EXPECT_EQ(response->results(1).hypotheses(0).text(), golden1);
  EXPECT_EQ(response->results(2).hypotheses(0).text(), golden0);
  EXPECT_EQ(response->results(0).input_tokens(), 7u);
}

TEST_F(ServingTest, TranslateReturnsScoresTokensAndNBest) {
  tserve::v1::DecodingOptions options;
  options.set_beam_size(4);
  options.set_num_hypotheses(3);
  options.set_max_length(20);
  options.set_return_token_scores(true);
  options.set_return_tokens(true);
  absl::StatusOr<tserve::v1::TranslateResponse> response = Translate({kSources[0]}, options);
  ASSERT_TRUE(response.ok()) << response.status();
  const tserve::v1::TranslationResult& result = response->results(0);
  ASSERT_EQ(result.hypotheses_size(), 3);
  for (const tserve::v1::Hypothesis& h : result.hypotheses()) {
    EXPECT_LT(h.score(), 0.f);
    EXPECT_EQ(h.tokens_size(), h.token_ids_size());
    EXPECT_GE(h.token_scores_size(), h.token_ids_size());
  }
  EXPECT_GE(result.hypotheses(0).score(), result.hypotheses(1).score());
}

TEST_F(ServingTest, StreamedTokensAndFinalTextEqualUnary) {
  for (const uint32_t beam : {1u, 3u}) {
    tserve::v1::DecodingOptions options = Greedy();
    options.set_beam_size(beam);
    absl::StatusOr<tserve::v1::TranslateResponse> unary = Translate({kSources[0]}, options);
    ASSERT_TRUE(unary.ok()) << unary.status();

    tserve::v1::TranslateStreamRequest request;
    request.set_model("swish");
    request.set_text(kSources[0]);
    *request.mutable_options() = options;
    std::vector<tserve::v1::TranslateStreamResponse> messages;
    absl::Status status = client_->TranslateStream(
        request, [&](const tserve::v1::TranslateStreamResponse& m) { messages.push_back(m); });
    ASSERT_TRUE(status.ok()) << status;
    ASSERT_GE(messages.size(), 2u);
    ASSERT_TRUE(messages.back().has_result());
    std::string concatenated;
    for (size_t i = 0; i + 1 < messages.size(); ++i) {
      ASSERT_TRUE(messages[i].has_token()) << "beam " << beam;
      EXPECT_EQ(messages[i].token().index(), i);
      concatenated += messages[i].token().text();
    }
    const std::string text = unary->results(0).hypotheses(0).text();
    EXPECT_EQ(messages.back().result().hypotheses(0).text(), text) << "beam " << beam;
    EXPECT_EQ(concatenated, text) << "beam " << beam;
  }
}

TEST_F(ServingTest, EncodeReturnsNormalisedVectorsOfTheModelWidth) {
  tserve::v1::EncodeRequest request;
  request.set_model("gelu");
  request.add_texts("Dog");
  request.add_texts("The old dog sleeps.");
  request.set_normalize(true);
  absl::StatusOr<tserve::v1::EncodeResponse> response = client_->Encode(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->dimension(), 72u);
  ASSERT_EQ(response->embeddings_size(), 2);
  for (const tserve::v1::Embedding& e : response->embeddings()) {
    ASSERT_EQ(e.vectors_size(), 1);
    ASSERT_EQ(e.vectors(0).values_size(), 72);
    double norm = 0;
    for (float v : e.vectors(0).values()) norm += double{v} * v;
    EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-4);
  }
  request.set_pooling(tserve::v1::POOLING_NONE);
  request.set_normalize(false);
  response = client_->Encode(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(static_cast<uint32_t>(response->embeddings(1).vectors_size()),
            response->embeddings(1).input_tokens());
}

TEST_F(ServingTest, GetModelInfoDescribesBothModels) {
  absl::StatusOr<tserve::v1::GetModelInfoResponse> info = client_->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->models_size(), 2);
  EXPECT_EQ(info->models(0).name(), "swish");
  EXPECT_EQ(info->models(0).config().d_model(), 80u);
  EXPECT_EQ(info->models(0).compute_type(), "float32");
  EXPECT_EQ(info->models(0).limits().max_texts_per_request(), 8u);
  EXPECT_EQ(info->models(0).limits().default_beam_size(), 4u);
  EXPECT_GT(info->models(0).load_seconds(), 0.0);
  EXPECT_FALSE(info->models(0).is_default());
  EXPECT_TRUE(info->models(1).config().separate_vocabs());
  EXPECT_FALSE(info->server_version().empty());
}

TEST_F(ServingTest, TwoModelsAnswerByName) {
  absl::StatusOr<tserve::v1::TranslateResponse> a = Translate({kSources[0]}, Greedy(), "swish");
  absl::StatusOr<tserve::v1::TranslateResponse> b = Translate({kSources[0]}, Greedy(), "gelu");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->model(), "gelu");
  EXPECT_NE(a->results(0).hypotheses(0).text(), b->results(0).hypotheses(0).text());
}

struct ErrorCase {
  std::string name;
  std::vector<std::string> texts;
  std::string model;
  std::function<void(tserve::v1::TranslateRequest&)> change;
  absl::StatusCode code;
  std::string message;
};

class ServingErrorTest : public ServingTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(ServingErrorTest, AnswersWithCodeAndMessage) {
  tserve::v1::TranslateRequest request;
  request.set_model(GetParam().model);
  for (const std::string& t : GetParam().texts) request.add_texts(t);
  if (GetParam().change) GetParam().change(request);
  absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), GetParam().code) << response.status();
  EXPECT_THAT(response.status().message(), HasSubstr(GetParam().message));
}

const std::string kLong = "The old dog sleeps and the young cat waits near the river every day.";

INSTANTIATE_TEST_SUITE_P(
    Errors, ServingErrorTest,
    ::testing::Values(
        ErrorCase{"EmptyList",
                  {},
                  "swish",
                  nullptr,
                  absl::StatusCode::kInvalidArgument,
                  "texts is empty"},
        ErrorCase{"EmptyString",
                  {"a", ""},
                  "swish",
                  nullptr,
                  absl::StatusCode::kInvalidArgument,
                  "texts[1] is empty"},
        ErrorCase{"TooManyTexts", std::vector<std::string>(9, "a"), "swish", nullptr,
                  absl::StatusCode::kInvalidArgument, "--max_texts_per_request"},
        ErrorCase{"TooLong",
                  {kLong},
                  "swish",
                  nullptr,
                  absl::StatusCode::kInvalidArgument,
                  "TRUNCATION_END"},
        ErrorCase{"BeamTooLarge",
                  {"a"},
                  "swish",
                  [](auto& r) { r.mutable_options()->set_beam_size(100); },
                  absl::StatusCode::kInvalidArgument,
                  "--max_beam_size"},
        ErrorCase{"TopP",
                  {"a"},
                  "swish",
                  [](auto& r) { r.mutable_options()->set_sampling_topp(1.5f); },
                  absl::StatusCode::kInvalidArgument,
                  "sampling_topp=1.5"},
        ErrorCase{"MinOverMax",
                  {"a"},
                  "swish",
                  [](auto& r) {
                    r.mutable_options()->set_max_length(3);
                    r.mutable_options()->set_min_length(4);
                  },
                  absl::StatusCode::kInvalidArgument,
                  "min_length"},
        ErrorCase{"UnknownModel",
                  {"a"},
                  "nope",
                  nullptr,
                  absl::StatusCode::kNotFound,
                  "loaded models: swish, gelu"},
        ErrorCase{
            "NoModelNamed", {"a"}, "", nullptr, absl::StatusCode::kInvalidArgument, "swish, gelu"}),
    [](const auto& param_info) { return param_info.param.name; });

// Protobuf itself refuses proto3 strings that are not UTF-8, before the
// service sees the request: gRPC answers with its own status, not OK.
TEST_F(ServingTest, InvalidUtf8IsRefused) {
  tserve::v1::TranslateRequest request;
  request.set_model("swish");
  request.add_texts("fine");
  request.add_texts("caf\xC3");
  absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << response.status();
  EXPECT_THAT(response.status().message(), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(response.status().message(), HasSubstr("offset 3"));

  tserve::v1::TranslateStreamRequest stream;
  stream.set_model("swish");
  stream.set_text("\xFF");
  absl::Status status =
      client_->TranslateStream(stream, [](const tserve::v1::TranslateStreamResponse&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;

  tserve::v1::EncodeRequest encode;
  encode.set_model("swish");
  encode.add_texts("\xE2\x82");
  EXPECT_EQ(client_->Encode(encode).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ServingTest, TooLongTextIsTruncatedWhenAsked) {
  tserve::v1::TranslateRequest request;
  request.set_model("swish");
  request.add_texts(kLong);
  *request.mutable_options() = Greedy();
  request.set_truncation(tserve::v1::TRUNCATION_END);
  absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_TRUE(response->results(0).truncated());
  EXPECT_EQ(response->results(0).input_tokens(), 16u);
}

TEST_F(ServingTest, StreamErrorsHaveCodes) {
  tserve::v1::TranslateStreamRequest request;
  request.set_model("nope");
  request.set_text("a");
  absl::Status status = client_->TranslateStream(request, [](const auto&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  request.set_model("swish");
  request.set_text("");
  status = client_->TranslateStream(request, [](const auto&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ServingTest, MetricsCountRequestsAndTokens) {
  ASSERT_TRUE(Translate({kSources[0]}, Greedy()).ok());
  absl::StatusOr<HttpResponse> page = HttpGet(server_->metrics_port(), "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->body,
              HasSubstr("tserve_requests_total{code=\"OK\",model=\"swish\",rpc=\"Translate\"}"));
  for (const char* name :
       {"tserve_request_duration_seconds_bucket", "tserve_queue_wait_seconds_bucket",
        "tserve_time_to_first_token_seconds_bucket", "tserve_inter_token_latency_seconds_bucket",
        "tserve_batch_size_bucket", "tserve_batch_padding_ratio_bucket",
        "tserve_queue_depth_sentences{", "tserve_live_sequences{", "tserve_input_tokens_total{",
        "tserve_generated_tokens_total{", "tserve_model_load_seconds{model=\"gelu\"}"}) {
    EXPECT_THAT(page->body, HasSubstr(name));
  }
  EXPECT_THAT(page->body, HasSubstr("le=\"0.001\""));
  EXPECT_THAT(page->body, HasSubstr("le=\"60\""));
}

TestServer::Options OneModel(std::vector<std::string> extra = {}) {
  TestServer::Options options;
  options.flags = {"--model=swish=" + ModelDir("swish-untied-f16"), "--threads=1"};
  options.flags.insert(options.flags.end(), extra.begin(), extra.end());
  return options;
}

TEST(ServingLifecycleTest, EmptyModelFieldSelectsTheOnlyModel) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(OneModel());
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = NewClient(**server);
  tserve::v1::TranslateRequest request;
  request.add_texts("the");
  absl::StatusOr<tserve::v1::TranslateResponse> response = client->Translate(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->model(), "swish");
  absl::StatusOr<tserve::v1::GetModelInfoResponse> info = client->GetModelInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->models(0).is_default());
}

TEST(ServingLifecycleTest, FullQueueIsResourceExhausted) {
  // One decoder row, held by a stream of 250 tokens (the demo model on one
  // thread); a queue of two sentences, filled by a second call.
  TestServer::Options options;
  options.flags = {"--model=demo=" + std::string(TSERVE_SOURCE_DIR) + "/models/en-es-demo",
                   "--threads=1", "--max_live_sequences=1", "--max_queue_sentences=2",
                   "--max_texts_per_request=2"};
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = NewClient(**server);
  tserve::v1::TranslateStreamRequest hold;
  hold.set_text("the house is small");
  hold.mutable_options()->set_beam_size(1);
  hold.mutable_options()->set_min_length(250);
  hold.mutable_options()->set_max_length(250);
  std::atomic<bool> live{false};
  std::thread holder([&] {
    EXPECT_TRUE(client->TranslateStream(hold, [&](const auto&) { live.store(true); }).ok());
  });
  while (!live.load()) absl::SleepFor(absl::Milliseconds(1));
  tserve::v1::TranslateRequest queued;
  queued.add_texts("the");
  queued.add_texts("house");
  queued.mutable_options()->set_beam_size(1);
  std::thread filler([&] { EXPECT_TRUE(client->Translate(queued).ok()); });
  absl::SleepFor(absl::Milliseconds(30));
  tserve::v1::TranslateRequest request;
  request.add_texts("the");
  request.mutable_options()->set_beam_size(1);
  absl::StatusOr<tserve::v1::TranslateResponse> response = client->Translate(request);
  holder.join();
  filler.join();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kResourceExhausted) << response.status();
  EXPECT_THAT(response.status().message(), HasSubstr("queue is full"));
}

TEST(ServingLifecycleTest, ShortDeadlineIsDeadlineExceeded) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(OneModel());
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = NewClient(**server, absl::Milliseconds(1));
  tserve::v1::TranslateRequest request;
  for (int i = 0; i < 8; ++i) request.add_texts(kLong);
  request.set_truncation(tserve::v1::TRUNCATION_END);
  request.mutable_options()->set_beam_size(8);
  request.mutable_options()->set_max_length(200);
  absl::StatusOr<tserve::v1::TranslateResponse> response = client->Translate(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded) << response.status();
}

TEST(ServingLifecycleTest, ServesTheRequestedComputeType) {
  absl::StatusOr<std::unique_ptr<TestServer>> server =
      TestServer::Start(OneModel({"--compute_type=bfloat16"}));
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = NewClient(**server);
  absl::StatusOr<tserve::v1::GetModelInfoResponse> info = client->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->models(0).compute_type(), "bfloat16");
  tserve::v1::TranslateRequest request;
  request.add_texts("the cat sat on the mat");
  absl::StatusOr<tserve::v1::TranslateResponse> response = client->Translate(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_GT(response->results(0).hypotheses_size(), 0);
}

TEST(ServingLifecycleTest, EachModelRunsItsOwnComputeType) {
  TestServer::Options options;
  options.flags = {"--model=swish=" + ModelDir("swish-untied-f16"),
                   "--model=gelu=" + ModelDir("gelu-separate-bf16"), "--threads=1",
                   "--compute_type=int8,gelu=float32"};
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<tserve::v1::GetModelInfoResponse> info = NewClient(**server)->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->models_size(), 2);
  for (const auto& model : info->models()) {
    EXPECT_EQ(model.compute_type(), model.name() == "gelu" ? "float32" : "int8") << model.name();
  }
}

TEST(ServingLifecycleTest, SigtermUnderLoadLosesNoAdmittedRequest) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(OneModel());
  ASSERT_TRUE(server.ok()) << server.status();
  std::atomic<int> ok{0}, unavailable{0}, other{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  std::string other_errors;
  std::mutex mutex;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto client = NewClient(**server);
      while (!stop.load()) {
        tserve::v1::TranslateRequest request;
        request.add_texts(kSources[0]);
        request.add_texts(kSources[1]);
        *request.mutable_options() = Greedy();
        absl::StatusOr<tserve::v1::TranslateResponse> response = client->Translate(request);
        if (response.ok()) {
          ok.fetch_add(1);
        } else if (response.status().code() == absl::StatusCode::kUnavailable ||
                   (response.status().code() == absl::StatusCode::kCancelled &&
                    response.status().message() == "CANCELLED")) {
          // Refused at the door: UNAVAILABLE while draining or once the
          // listener is gone, or gRPC's own bare CANCELLED for a call that
          // arrived while the server was shutting down. Never admitted (a
          // sentence dropped by the scheduler says so in its message).
          unavailable.fetch_add(1);
          absl::SleepFor(absl::Milliseconds(5));
        } else {
          other.fetch_add(1);
          std::lock_guard lock(mutex);
          other_errors += response.status().ToString() + "\n";
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(500));
  absl::StatusOr<int> exit_code = (*server)->Stop(SIGTERM, absl::Seconds(30));
  absl::SleepFor(absl::Milliseconds(100));
  stop.store(true);
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << (*server)->Log();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(other.load(), 0) << other_errors;
}

}  // namespace
}  // namespace tserve::testing

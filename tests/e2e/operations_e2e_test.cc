// End-to-end tests of what operators and callers see on the real binary:
// gauges after cancellations, deadline expiries in the metrics, replies too
// large to send refused before any engine work, consistent refusals, and a
// long request that does not hold up short ones.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/call_cancellation.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/metric_sample.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

using ::testing::HasSubstr;

std::string DemoModel() { return absl::StrCat(TSERVE_SOURCE_DIR, "/models/en-es-demo"); }
std::string TestModel(const std::string& name) {
  return absl::StrCat(TSERVE_SOURCE_DIR, "/tests/data/models/", name);
}

// The demo model (d_model 256, 6 + 3 layers) is slow enough on one thread
// for calls to be caught mid-decode.
TestServer::Options Demo(std::vector<std::string> extra = {}) {
  TestServer::Options options;
  options.flags = {"--model=demo=" + DemoModel(), "--threads=1"};
  options.flags.insert(options.flags.end(), extra.begin(), extra.end());
  return options;
}

// English words the demo model's vocabulary holds whole.
std::string Words(int count) {
  const char* const words[] = {"the", "house", "is",    "small",    "and",
                               "the", "river", "runs",  "near",     "the",
                               "old", "city",  "where", "children", "play"};
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(words[i % 15]);
  return absl::StrJoin(out, " ") + ".";
}

// A decoding that runs to max_length: min_length forbids an early end.
tserve::v1::DecodingOptions Long(int beam) {
  tserve::v1::DecodingOptions options;
  options.set_beam_size(static_cast<uint32_t>(beam));
  options.set_max_length(250);
  options.set_min_length(250);
  return options;
}

// Polls a series until it equals `want` or `timeout` passes; returns the last value.
double WaitForSample(int port, const std::string& series, double want,
                     absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time end = absl::Now() + timeout;
  double value = -1;
  while (true) {
    absl::StatusOr<double> sample = ScrapeSample(port, series);
    if (sample.ok()) value = *sample;
    if (value == want || absl::Now() >= end) return value;
    absl::SleepFor(absl::Milliseconds(50));
  }
}

// Cancelled sentences leave the live set after the next decoder step; the
// gauges must follow even though the server is idle afterwards.
TEST(OperationsTest, LiveGaugesReadZeroWithinASecondOfTheLastCancellation) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(Demo());
  ASSERT_TRUE(server.ok()) << server.status();
  client::Client client((*server)->NewChannel(), absl::Seconds(60));

  std::vector<std::thread> threads;
  std::atomic<int> cancelled{0};
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      client::CallCancellation cancellation;
      client::CallOptions call;
      call.cancellation = &cancellation;
      absl::Status status;
      if (i % 2 == 0) {
        // A stream, cancelled at its first token.
        tserve::v1::TranslateStreamRequest request;
        request.set_text(Words(6));
        *request.mutable_options() = Long(1);
        status = client.TranslateStream(
            request, [&](const tserve::v1::TranslateStreamResponse&) { cancellation.Cancel(); },
            call);
      } else {
        // Beam search (several rows per sentence), cancelled mid-decode.
        std::thread canceller([&] {
          absl::SleepFor(absl::Milliseconds(300));
          cancellation.Cancel();
        });
        tserve::v1::TranslateRequest request;
        request.add_texts(Words(5));
        request.add_texts(Words(9));
        *request.mutable_options() = Long(3);
        status = client.Translate(request, call).status();
        canceller.join();
      }
      if (status.code() == absl::StatusCode::kCancelled) cancelled.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(cancelled.load(), 12);
  absl::SleepFor(absl::Seconds(1));
  const int port = (*server)->metrics_port();
  EXPECT_EQ(*ScrapeSample(port, "tserve_live_sequences{model=\"demo\"}"), 0);
  EXPECT_EQ(*ScrapeSample(port, "tserve_live_decoder_rows{model=\"demo\"}"), 0);
  EXPECT_GT(
      *ScrapeSample(port, "tserve_dropped_sentences_total{model=\"demo\",reason=\"cancelled\"}"),
      0);
}

// gRPC cancels a call when its deadline passes; the metrics must still call
// it a deadline expiry.
TEST(OperationsTest, DeadlineExpiriesCountAsDeadlineExceeded) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(Demo());
  ASSERT_TRUE(server.ok()) << server.status();
  client::Client client((*server)->NewChannel(), absl::Milliseconds(400));

  // Both at once, so that neither ends before its deadline.
  std::thread translate([&] {
    tserve::v1::TranslateRequest request;
    for (int i = 0; i < 8; ++i) request.add_texts(Words(5 + i));
    *request.mutable_options() = Long(4);
    EXPECT_EQ(client.Translate(request).status().code(), absl::StatusCode::kDeadlineExceeded);
  });
  tserve::v1::TranslateStreamRequest stream;
  stream.set_text(Words(7));
  *stream.mutable_options() = Long(4);
  EXPECT_EQ(client.TranslateStream(stream, [](const auto&) {}).code(),
            absl::StatusCode::kDeadlineExceeded);
  translate.join();

  const int port = (*server)->metrics_port();
  for (const char* rpc : {"Translate", "TranslateStream"}) {
    EXPECT_EQ(WaitForSample(port,
                            absl::StrCat("tserve_requests_total{code=\"DEADLINE_EXCEEDED\",model="
                                         "\"demo\",rpc=\"",
                                         rpc, "\"}"),
                            1),
              1)
        << rpc;
    EXPECT_EQ(*ScrapeSample(port, absl::StrCat("tserve_requests_total{code=\"CANCELLED\",model="
                                               "\"demo\",rpc=\"",
                                               rpc, "\"}")),
              0)
        << rpc;
  }
  EXPECT_EQ(
      *ScrapeSample(port, "tserve_dropped_sentences_total{model=\"demo\",reason=\"deadline\"}"), 9);
  EXPECT_EQ(
      *ScrapeSample(port, "tserve_dropped_sentences_total{model=\"demo\",reason=\"cancelled\"}"),
      0);
}

// An Encode reply larger than --max_message_bytes could never be sent: it is
// refused as soon as the texts are tokenized, naming the size, the limit and
// what to change, and counted under that code. (36 texts of 600 words with
// POOLING_NONE at the default flags: 512 tokens × 256 floats each, ~19 MB.)
TEST(OperationsTest, OversizedReplyIsRefusedBeforeAnyEngineWork) {
  TestServer::Options options;
  options.flags = {"--model=demo=" + DemoModel()};
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  client::Client client((*server)->NewChannel(), absl::Seconds(120));
  const int port = (*server)->metrics_port();
  const std::string admitted = "tserve_input_tokens_total{model=\"demo\"}";
  const double admitted_before = *ScrapeSample(port, admitted);

  tserve::v1::EncodeRequest request;
  for (int i = 0; i < 36; ++i) request.add_texts(Words(600));
  request.set_truncation(tserve::v1::TRUNCATION_END);
  request.set_pooling(tserve::v1::POOLING_NONE);
  absl::StatusOr<tserve::v1::EncodeResponse> response = client.Encode(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << response.status();
  EXPECT_THAT(response.status().message(), HasSubstr("16777216 bytes (--max_message_bytes)"));
  EXPECT_THAT(response.status().message(), HasSubstr("send fewer texts per call"));
  EXPECT_THAT(response.status().message(), HasSubstr("POOLING_NONE"));
  EXPECT_EQ(*ScrapeSample(port, admitted), admitted_before) << "the texts reached the engine";
  EXPECT_EQ(WaitForSample(port,
                          "tserve_requests_total{code=\"INVALID_ARGUMENT\",model=\"demo\","
                          "rpc=\"Encode\"}",
                          1),
            1);
  EXPECT_EQ(*ScrapeSample(port, "tserve_requests_total{code=\"OK\",model=\"demo\",rpc=\"Encode\"}"),
            0);

  // The same texts pooled make a small reply.
  request.set_pooling(tserve::v1::POOLING_MEAN);
  response = client.Encode(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->embeddings_size(), 36);
}

// Every RPC refuses what it cannot take the same way: a text of white space
// only (as an empty one) and an enum value that does not exist (as pooling).
TEST(OperationsTest, WhiteSpaceOnlyTextsAndUnknownEnumValuesAreRefused) {
  TestServer::Options options;
  options.flags = {"--model=swish=" + TestModel("swish-untied-f16"), "--threads=1"};
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  client::Client client((*server)->NewChannel(), absl::Seconds(30));

  for (const std::string blank : {" ", " \t\n ", "\xC2\xA0\xE3\x80\x80"}) {
    tserve::v1::TranslateRequest translate;
    translate.add_texts("the");
    translate.add_texts(blank);
    absl::Status status = client.Translate(translate).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(status.message(), HasSubstr("texts[1] is only white space"));

    tserve::v1::EncodeRequest encode;
    encode.add_texts(blank);
    EXPECT_EQ(client.Encode(encode).status().code(), absl::StatusCode::kInvalidArgument);

    tserve::v1::TranslateStreamRequest stream;
    stream.set_text(blank);
    status = client.TranslateStream(stream, [](const auto&) {});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(status.message(), HasSubstr("text is only white space"));
  }

  const auto unknown = static_cast<tserve::v1::Truncation>(7);
  tserve::v1::TranslateRequest translate;
  translate.add_texts("the");
  translate.set_truncation(unknown);
  absl::Status status = client.Translate(translate).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("truncation=7 is not a truncation"));
  tserve::v1::EncodeRequest encode;
  encode.add_texts("the");
  encode.set_truncation(unknown);
  EXPECT_EQ(client.Encode(encode).status().code(), absl::StatusCode::kInvalidArgument);
  tserve::v1::TranslateStreamRequest stream;
  stream.set_text("the");
  stream.set_truncation(unknown);
  EXPECT_EQ(client.TranslateStream(stream, [](const auto&) {}).code(),
            absl::StatusCode::kInvalidArgument);
  encode.set_truncation(tserve::v1::TRUNCATION_UNSPECIFIED);
  encode.set_pooling(static_cast<tserve::v1::Pooling>(9));
  status = client.Encode(encode).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("pooling=9 is not a pooling"));
}

// A one-word Translate sent while a long Encode (8 texts of 512 tokens) is
// being encoded is answered first: the encoder work is cut into slices with
// decoder steps and other requests' encoding in between.
TEST(OperationsTest, ShortCallIsAnsweredWhileALongEncodeRuns) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(Demo());
  ASSERT_TRUE(server.ok()) << server.status();
  client::Client client((*server)->NewChannel(), absl::Seconds(120));

  tserve::v1::EncodeRequest encode;
  for (int i = 0; i < 8; ++i) encode.add_texts(Words(600));
  encode.set_truncation(tserve::v1::TRUNCATION_END);
  // How long it takes alone.
  absl::Time start = absl::Now();
  ASSERT_TRUE(client.Encode(encode).ok());
  const absl::Duration alone = absl::Now() - start;

  std::atomic<bool> long_done{false};
  absl::Duration long_took;
  std::thread long_call([&] {
    const absl::Time t0 = absl::Now();
    EXPECT_TRUE(client.Encode(encode).ok());
    long_took = absl::Now() - t0;
    long_done.store(true);
  });
  absl::SleepFor(alone / 5);
  tserve::v1::TranslateRequest translate;
  translate.add_texts("Hello.");
  start = absl::Now();
  absl::StatusOr<tserve::v1::TranslateResponse> short_response = client.Translate(translate);
  const absl::Duration short_took = absl::Now() - start;
  const bool finished_first = !long_done.load();
  long_call.join();
  ASSERT_TRUE(short_response.ok()) << short_response.status();
  EXPECT_TRUE(finished_first) << "short call " << short_took << ", long call " << long_took
                              << " (alone " << alone << ")";
  EXPECT_LT(short_took, alone / 2) << "long call alone " << alone;
}

}  // namespace
}  // namespace tserve::testing

// The demo model (models/en-es-demo) served by the real tserve-server and
// driven through the client library: translation quality on a sample of the
// committed test set, and batch invariance under concurrent load.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gtest/gtest.h"
#include "tests/e2e/chrf.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

constexpr int kSampleSize = 200;
constexpr int kSampleStride = 7;  // every 7th pair of the 1,500 test pairs
constexpr double kMinChrf = 50;

std::string SourcePath(const std::string& relative) {
  return absl::StrCat(TSERVE_SOURCE_DIR, "/", relative);
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Sample {
  std::vector<std::string> sources, references;
};

Sample TestSample() {
  const auto en = ReadLines(SourcePath("tests/data/en-es/test.en"));
  const auto es = ReadLines(SourcePath("tests/data/en-es/test.es"));
  Sample sample;
  for (size_t i = 0; i < en.size() && sample.sources.size() < kSampleSize; i += kSampleStride) {
    sample.sources.push_back(en[i]);
    sample.references.push_back(es[i]);
  }
  return sample;
}

tserve::v1::TranslateRequest GreedyRequest(const std::vector<std::string>& texts) {
  tserve::v1::TranslateRequest request;
  for (const std::string& text : texts) request.add_texts(text);
  request.mutable_options()->set_beam_size(1);
  return request;
}

class DemoModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServer::Options options;
    options.flags = {"--model=demo=" + SourcePath("models/en-es-demo"), "--threads=2"};
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value().release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  // The model is committed (models/en-es-demo): a missing one fails here.
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "the demo server did not start on models/en-es-demo";
  }

  static std::unique_ptr<client::Client> NewClient() {
    return std::make_unique<client::Client>(server_->NewChannel(), absl::Seconds(120));
  }

  static TestServer* server_;
};

TestServer* DemoModelTest::server_ = nullptr;

// Each sentence alone, one call at a time, then the same sentences from 8
// threads at once, 5 texts per call, so the scheduler batches them with
// whatever else is in flight: the translations must be identical, and score
// above the bound against the Apertium references.
TEST_F(DemoModelTest, TranslatesTheTestSampleWellAndTheSameUnderLoad) {
  const Sample sample = TestSample();
  ASSERT_EQ(sample.sources.size(), static_cast<size_t>(kSampleSize));

  std::vector<std::string> sequential;
  auto client = NewClient();
  for (const std::string& source : sample.sources) {
    auto response = client->Translate(GreedyRequest({source}));
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->results_size(), 1);
    sequential.push_back(response->results(0).hypotheses(0).text());
  }

  constexpr int kThreads = 8, kTextsPerCall = 5;
  std::vector<std::string> concurrent(sample.sources.size());
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto thread_client = NewClient();
      // Thread t takes calls t, t + 8, ...: interleaved ranges of 5 texts.
      for (size_t begin = t * kTextsPerCall; begin < sample.sources.size();
           begin += kThreads * kTextsPerCall) {
        const size_t end = std::min(begin + kTextsPerCall, sample.sources.size());
        std::vector<std::string> texts(sample.sources.begin() + begin,
                                       sample.sources.begin() + end);
        auto response = thread_client->Translate(GreedyRequest(texts));
        if (!response.ok()) {
          errors[t] = response.status().ToString();
          return;
        }
        for (size_t i = begin; i < end; ++i) {
          concurrent[i] = response->results(static_cast<int>(i - begin)).hypotheses(0).text();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& error : errors) ASSERT_EQ(error, "");
  for (size_t i = 0; i < sequential.size(); ++i) {
    EXPECT_EQ(concurrent[i], sequential[i]) << "sentence " << i << ": " << sample.sources[i];
  }

  const double chrf = CorpusChrf(sequential, sample.references);
  std::cout << "chrF on " << sequential.size() << " test sentences: " << chrf << "\n";
  EXPECT_GT(chrf, kMinChrf);
}

// The C++ chrF that the test above uses equals tools/demo/scoring.py's.
TEST(ChrfTest, EqualsTheToolsScorer) {
  const std::vector<std::string> hypotheses = {"Los niños jugaron en el parque.", "un gato", "",
                                               "¿Dónde está la estación?"};
  const std::vector<std::string> references = {"Los niños tocaron en el parque.", "un  gato negro",
                                               "algo", "¿Dónde está el tren?"};
  TempDir dir;
  std::string hyp_text, ref_text;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    absl::StrAppend(&hyp_text, hypotheses[i], "\n");
    absl::StrAppend(&ref_text, references[i], "\n");
  }
  ASSERT_TRUE(WriteFile(dir.File("hyp"), hyp_text).ok());
  ASSERT_TRUE(WriteFile(dir.File("ref"), ref_text).ok());
  const std::string script = absl::StrCat(
      "import sys; sys.path.insert(0, '", SourcePath("tools/demo"), "'); import scoring; ",
      "read = lambda p: open(p, encoding='utf-8').read().split('\\n')[:-1]; ",
      "print(repr(scoring.chrf(read(sys.argv[1]), read(sys.argv[2]))))");
  auto result = RunProcess({"/usr/bin/python3", "-c", script, dir.File("hyp"), dir.File("ref")});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 0) << result->output;
  const double expected = std::stod(result->output);
  EXPECT_GT(expected, 0);
  EXPECT_NEAR(CorpusChrf(hypotheses, references), expected, 1e-9);
}

}  // namespace
}  // namespace tserve::testing

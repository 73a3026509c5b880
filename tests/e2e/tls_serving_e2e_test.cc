// Translation over TLS and mutual TLS with a model loaded: the same answers
// as over plaintext, and a mutual-TLS server refuses clients without a
// certificate.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_certificates.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

class TlsServingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    absl::StatusOr<TestCertificates> certificates = MakeTestCertificates(*dir_);
    ASSERT_TRUE(certificates.ok()) << certificates.status();
    certificates_ = new TestCertificates(*std::move(certificates));
  }
  static void TearDownTestSuite() {
    delete certificates_;
    certificates_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(certificates_, nullptr) << "no certificates"; }

  static TestServer::Options WithModel(std::vector<std::string> flags) {
    TestServer::Options options;
    options.flags = {
        absl::StrCat("--model=swish=", TSERVE_SOURCE_DIR, "/tests/data/models/swish-untied-f16"),
        "--threads=1"};
    options.flags.insert(options.flags.end(), flags.begin(), flags.end());
    return options;
  }

  // A client of `server` through the client library's own TLS settings.
  static absl::StatusOr<std::unique_ptr<client::Client>> TlsClient(const TestServer& server,
                                                                   bool with_client_cert) {
    client::ClientOptions options;
    options.address = server.address();
    options.tls_ca_file = certificates_->ca;
    if (with_client_cert) {
      options.tls_cert_file = certificates_->client_cert;
      options.tls_key_file = certificates_->client_key;
    }
    options.timeout = absl::Seconds(30);
    return client::Client::Create(options);
  }

  static tserve::v1::TranslateRequest Request() {
    tserve::v1::TranslateRequest request;
    request.add_texts("The old dog sleeps.");
    request.add_texts("the");
    request.mutable_options()->set_beam_size(2);
    request.mutable_options()->set_max_length(30);
    request.mutable_options()->set_return_scores(true);
    return request;
  }

  // The same request over plaintext, as the reference.
  static tserve::v1::TranslateResponse PlaintextAnswer() {
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(WithModel({}));
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return {};
    client::Client client((*server)->NewChannel(), absl::Seconds(30));
    absl::StatusOr<tserve::v1::TranslateResponse> response = client.Translate(Request());
    EXPECT_TRUE(response.ok()) << response.status();
    return response.value_or(tserve::v1::TranslateResponse());
  }

  static void ExpectSameAnswer(const tserve::v1::TranslateResponse& actual,
                               const tserve::v1::TranslateResponse& expected) {
    ASSERT_EQ(actual.results_size(), expected.results_size());
    for (int i = 0; i < expected.results_size(); ++i) {
      ASSERT_GT(expected.results(i).hypotheses_size(), 0);
      ASSERT_GT(actual.results(i).hypotheses_size(), 0);
      EXPECT_EQ(actual.results(i).hypotheses(0).text(), expected.results(i).hypotheses(0).text());
      EXPECT_EQ(actual.results(i).hypotheses(0).score(), expected.results(i).hypotheses(0).score());
    }
  }

  static TempDir* dir_;
  static TestCertificates* certificates_;
};

TempDir* TlsServingTest::dir_ = nullptr;
TestCertificates* TlsServingTest::certificates_ = nullptr;

TEST_F(TlsServingTest, TranslateOverTlsEqualsPlaintext) {
  const tserve::v1::TranslateResponse expected = PlaintextAnswer();
  ASSERT_EQ(expected.results_size(), 2);

  TestServer::Options options = WithModel(certificates_->ServerFlags(/*mutual=*/false));
  options.credentials = certificates_->ClientCredentials(/*with_client_cert=*/false);
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();

  absl::StatusOr<std::unique_ptr<client::Client>> client =
      TlsClient(**server, /*with_client_cert=*/false);
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<tserve::v1::TranslateResponse> response = (*client)->Translate(Request());
  ASSERT_TRUE(response.ok()) << response.status();
  ExpectSameAnswer(*response, expected);

  // A plaintext client gets no answer from a TLS server.
  auto plaintext = std::make_unique<client::Client>(
      (*server)->NewChannel(grpc::InsecureChannelCredentials()), absl::Seconds(10));
  absl::StatusOr<tserve::v1::TranslateResponse> refused = plaintext->Translate(Request());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();

  // Connected clients hold the server's shutdown back; close them first.
  client->reset();
  plaintext.reset();
  EXPECT_EQ((*server)->Stop().value_or(-1), 0) << (*server)->Log();
}

TEST_F(TlsServingTest, MutualTlsServesCertifiedClientsOnly) {
  const tserve::v1::TranslateResponse expected = PlaintextAnswer();
  ASSERT_EQ(expected.results_size(), 2);

  TestServer::Options options = WithModel(certificates_->ServerFlags(/*mutual=*/true));
  options.credentials = certificates_->ClientCredentials(/*with_client_cert=*/true);
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();

  absl::StatusOr<std::unique_ptr<client::Client>> certified =
      TlsClient(**server, /*with_client_cert=*/true);
  ASSERT_TRUE(certified.ok()) << certified.status();
  absl::StatusOr<tserve::v1::TranslateResponse> response = (*certified)->Translate(Request());
  ASSERT_TRUE(response.ok()) << response.status();
  ExpectSameAnswer(*response, expected);

  // Without a client certificate the handshake fails: the call never
  // reaches the service and gRPC reports the server as unavailable.
  absl::StatusOr<std::unique_ptr<client::Client>> anonymous =
      TlsClient(**server, /*with_client_cert=*/false);
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  absl::StatusOr<tserve::v1::TranslateResponse> refused = (*anonymous)->Translate(Request());
  ASSERT_FALSE(refused.ok()) << "a client without a certificate was served";
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();

  // The refused client did not disturb the service.
  response = (*certified)->Translate(Request());
  ASSERT_TRUE(response.ok()) << response.status();
  ExpectSameAnswer(*response, expected);

  certified->reset();
  anonymous->reset();
  EXPECT_EQ((*server)->Stop().value_or(-1), 0) << (*server)->Log();
}

}  // namespace
}  // namespace tserve::testing

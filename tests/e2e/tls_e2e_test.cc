// TLS and mutual TLS between tserve-server and clients, with a CA, server
// and client certificates made by openssl for the test run.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_FALSE(FindInPath("openssl").empty())
        << "openssl is missing: run scripts/install-deps.sh";
    // A CA, a server certificate for 127.0.0.1 / localhost and a client
    // certificate, all signed by the CA. EC keys: fast to make.
    const std::string ec = "ec:" + dir_->File("params.pem");
    const std::vector<std::vector<std::string>> commands = {
        {"openssl", "ecparam", "-name", "prime256v1", "-out", dir_->File("params.pem")},
        {"openssl", "req", "-x509", "-newkey", ec, "-nodes", "-days", "2", "-subj",
         "/CN=tserve test CA", "-keyout", dir_->File("ca.key"), "-out", dir_->File("ca.pem")},
        {"openssl", "req", "-newkey", ec, "-nodes", "-subj", "/CN=localhost", "-keyout",
         dir_->File("server.key"), "-out", dir_->File("server.csr")},
        {"openssl", "x509", "-req", "-in", dir_->File("server.csr"), "-CA", dir_->File("ca.pem"),
         "-CAkey", dir_->File("ca.key"), "-CAcreateserial", "-days", "2", "-extfile",
         dir_->File("server.ext"), "-out", dir_->File("server.pem")},
        {"openssl", "req", "-newkey", ec, "-nodes", "-subj", "/CN=tserve test client", "-keyout",
         dir_->File("client.key"), "-out", dir_->File("client.csr")},
        {"openssl", "x509", "-req", "-in", dir_->File("client.csr"), "-CA", dir_->File("ca.pem"),
         "-CAkey", dir_->File("ca.key"), "-CAcreateserial", "-days", "2", "-extfile",
         dir_->File("client.ext"), "-out", dir_->File("client.pem")},
    };
    ASSERT_TRUE(WriteFile(dir_->File("server.ext"),
                          "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                          "extendedKeyUsage=serverAuth\n")
                    .ok());
    ASSERT_TRUE(WriteFile(dir_->File("client.ext"), "extendedKeyUsage=clientAuth\n").ok());
    for (const std::vector<std::string>& command : commands) {
      absl::StatusOr<ProcessResult> result = RunProcess(command);
      ASSERT_TRUE(result.ok()) << result.status();
      ASSERT_EQ(result->exit_code, 0) << command[1] << ":\n" << result->output;
    }
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string Pem(const std::string& name) {
    return ReadFile(dir_->File(name)).value_or("");
  }

  // Credentials that trust the test CA, optionally with the client certificate.
  static std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(bool with_client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Pem("ca.pem");
    if (with_client_cert) {
      ssl.pem_cert_chain = Pem("client.pem");
      ssl.pem_private_key = Pem("client.key");
    }
    return grpc::SslCredentials(ssl);
  }

  static std::vector<std::string> ServerTlsFlags(bool mutual) {
    std::vector<std::string> flags = {"--tls_cert=" + dir_->File("server.pem"),
                                      "--tls_key=" + dir_->File("server.key")};
    if (mutual) flags.push_back("--tls_client_ca=" + dir_->File("ca.pem"));
    return flags;
  }

  static grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel,
                            HealthCheckResponse* response) {
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->Check(&context, HealthCheckRequest(), response);
  }

  static TempDir* dir_;
};

TempDir* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, ServesOverTlsAndRefusesPlaintext) {
  TestServer::Options options;
  options.flags = ServerTlsFlags(/*mutual=*/false);
  options.credentials = TlsCredentials(/*with_client_cert=*/false);
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->Log(), HasSubstr("(TLS)"));

  HealthCheckResponse response;
  grpc::Status status = Check((*server)->NewChannel(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  status = Check((*server)->NewChannel(grpc::InsecureChannelCredentials()), &response);
  EXPECT_FALSE(status.ok());

  absl::StatusOr<ProcessResult> cli =
      RunProcess({ClientBinary(), "health", "--address=" + (*server)->address(),
                  "--tls_ca=" + dir_->File("ca.pem")});
  ASSERT_TRUE(cli.ok()) << cli.status();
  EXPECT_EQ(cli->exit_code, 0) << cli->output;
  EXPECT_EQ(cli->output, "SERVING\n");

  EXPECT_EQ((*server)->Stop().value_or(-1), 0) << (*server)->Log();
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificate) {
  TestServer::Options options;
  options.flags = ServerTlsFlags(/*mutual=*/true);
  options.credentials = TlsCredentials(/*with_client_cert=*/true);
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->Log(), HasSubstr("(mutual TLS)"));

  HealthCheckResponse response;
  grpc::Status status = Check((*server)->NewChannel(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  status = Check((*server)->NewChannel(TlsCredentials(/*with_client_cert=*/false)), &response);
  EXPECT_FALSE(status.ok()) << "a client without a certificate was let in";

  const std::vector<std::string> base = {ClientBinary(), "health",
                                         "--address=" + (*server)->address(),
                                         "--tls_ca=" + dir_->File("ca.pem"), "--timeout_s=5"};
  std::vector<std::string> with_cert = base;
  with_cert.push_back("--tls_cert=" + dir_->File("client.pem"));
  with_cert.push_back("--tls_key=" + dir_->File("client.key"));
  absl::StatusOr<ProcessResult> cli = RunProcess(with_cert);
  ASSERT_TRUE(cli.ok()) << cli.status();
  EXPECT_EQ(cli->exit_code, 0) << cli->output;

  cli = RunProcess(base);
  ASSERT_TRUE(cli.ok()) << cli.status();
  EXPECT_NE(cli->exit_code, 0) << cli->output;

  EXPECT_EQ((*server)->Stop().value_or(-1), 0) << (*server)->Log();
}

TEST_F(TlsTest, CertificateWithoutKeyIsAConfigurationError) {
  absl::StatusOr<ProcessResult> result =
      RunProcess({ServerBinary(), "--grpc_port=0", "--metrics_port=0",
                  "--tls_cert=" + dir_->File("server.pem")});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 2) << result->output;
  EXPECT_THAT(result->output, HasSubstr("--tls_cert and --tls_key go together"));
}

TEST_F(TlsTest, ClientCaWithoutServerCertificateIsAConfigurationError) {
  absl::StatusOr<ProcessResult> result =
      RunProcess({ServerBinary(), "--grpc_port=0", "--metrics_port=0",
                  "--tls_client_ca=" + dir_->File("ca.pem")});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 2) << result->output;
  EXPECT_THAT(result->output, HasSubstr("--tls_client_ca needs TLS"));
}

TEST_F(TlsTest, UnreadableKeyFailsAtStart) {
  ASSERT_TRUE(WriteFile(dir_->File("garbage.key"), "not a key\n").ok());
  absl::StatusOr<ProcessResult> result = RunProcess(
      {ServerBinary(), "--grpc_port=0", "--metrics_port=0",
       "--tls_cert=" + dir_->File("server.pem"), "--tls_key=" + dir_->File("garbage.key")});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 1) << result->output;
  EXPECT_THAT(result->output, HasSubstr("not a PEM file"));
}

}  // namespace
}  // namespace tserve::testing

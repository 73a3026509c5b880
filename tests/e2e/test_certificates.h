#ifndef TSERVE_TESTS_E2E_TEST_CERTIFICATES_H_
#define TSERVE_TESTS_E2E_TEST_CERTIFICATES_H_

// Certificates for TLS tests, made with openssl for the test run.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {

// PEM files: a CA, a server certificate for localhost and 127.0.0.1, and a
// client certificate (for mutual TLS), both signed by the CA.
struct TestCertificates {
  std::string ca;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;

  // The tserve-server flags that serve TLS with them; with `mutual`, client
  // certificates signed by the CA are required.
  std::vector<std::string> ServerFlags(bool mutual) const;

  // Channel credentials that trust the CA, with or without the client
  // certificate.
  std::shared_ptr<grpc::ChannelCredentials> ClientCredentials(bool with_client_cert) const;
};

// Makes the certificates in `dir` with the openssl command (EC keys: fast).
absl::StatusOr<TestCertificates> MakeTestCertificates(const TempDir& dir);

}  // namespace tserve::testing

#endif  // TSERVE_TESTS_E2E_TEST_CERTIFICATES_H_

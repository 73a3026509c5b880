#include "tests/e2e/test_certificates.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tserve::testing {

std::vector<std::string> TestCertificates::ServerFlags(bool mutual) const {
  std::vector<std::string> flags = {"--tls_cert=" + server_cert, "--tls_key=" + server_key};
  if (mutual) flags.push_back("--tls_client_ca=" + ca);
  return flags;
}

std::shared_ptr<grpc::ChannelCredentials> TestCertificates::ClientCredentials(
    bool with_client_cert) const {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(ca).value_or("");
  if (with_client_cert) {
    ssl.pem_cert_chain = ReadFile(client_cert).value_or("");
    ssl.pem_private_key = ReadFile(client_key).value_or("");
  }
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<TestCertificates> MakeTestCertificates(const TempDir& dir) {
  if (FindInPath("openssl").empty()) {
    return absl::FailedPreconditionError("openssl is missing: run scripts/install-deps.sh");
  }
  TestCertificates files;
  files.ca = dir.File("ca.pem");
  files.server_cert = dir.File("server.pem");
  files.server_key = dir.File("server.key");
  files.client_cert = dir.File("client.pem");
  files.client_key = dir.File("client.key");

  if (absl::Status status = WriteFile(dir.File("server.ext"),
                                      "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                      "extendedKeyUsage=serverAuth\n");
      !status.ok()) {
    return status;
  }
  if (absl::Status status = WriteFile(dir.File("client.ext"), "extendedKeyUsage=clientAuth\n");
      !status.ok()) {
    return status;
  }
  const std::string ec = "ec:" + dir.File("params.pem");
  const std::vector<std::vector<std::string>> commands = {
      {"openssl", "ecparam", "-name", "prime256v1", "-out", dir.File("params.pem")},
      {"openssl", "req", "-x509", "-newkey", ec, "-nodes", "-days", "2", "-subj",
       "/CN=tserve test CA", "-keyout", dir.File("ca.key"), "-out", files.ca},
      {"openssl", "req", "-newkey", ec, "-nodes", "-subj", "/CN=localhost", "-keyout",
       files.server_key, "-out", dir.File("server.csr")},
      {"openssl", "x509", "-req", "-in", dir.File("server.csr"), "-CA", files.ca, "-CAkey",
       dir.File("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", dir.File("server.ext"),
       "-out", files.server_cert},
      {"openssl", "req", "-newkey", ec, "-nodes", "-subj", "/CN=tserve test client", "-keyout",
       files.client_key, "-out", dir.File("client.csr")},
      {"openssl", "x509", "-req", "-in", dir.File("client.csr"), "-CA", files.ca, "-CAkey",
       dir.File("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", dir.File("client.ext"),
       "-out", files.client_cert},
  };
  for (const std::vector<std::string>& command : commands) {
    absl::StatusOr<ProcessResult> result = RunProcess(command);
    if (!result.ok()) return result.status();
    if (result->exit_code != 0) {
      return absl::InternalError(absl::StrCat(absl::StrJoin(command, " "), " exited with ",
                                              result->exit_code, ":\n", result->output));
    }
  }
  return files;
}

}  // namespace tserve::testing

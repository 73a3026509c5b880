#ifndef TSERVE_SERVER_TLS_H_
#define TSERVE_SERVER_TLS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "server/options.h"

namespace tserve::server {

// Credentials of the gRPC listener: TLS when a certificate and key are given
// (with a client CA, clients must present a certificate it signed), plaintext
// otherwise. Fails when a PEM file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsOptions& tls);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_TLS_H_

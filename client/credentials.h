#ifndef TSERVE_CLIENT_CREDENTIALS_H_
#define TSERVE_CLIENT_CREDENTIALS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "client/client.h"
#include "grpcpp/security/credentials.h"

namespace tserve::client {

// Channel credentials for the TLS settings of `options` (plaintext when none
// is set). Fails with a message naming the file that cannot be read, or when
// a client certificate is given without its key.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientOptions& options);

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_CREDENTIALS_H_

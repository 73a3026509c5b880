#include "server/server.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/log.h"
#include "server/port_file.h"
#include "server/tls.h"

namespace tserve::server {

namespace {

// The name clients pass to grpc.health.v1.Health/Check for this service.
constexpr char kTranslatorServiceName[] = "tserve.v1.Translator";

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {}

Server::~Server() { Shutdown(); }

absl::Status Server::Start() {
  if (grpc_server_ != nullptr) return absl::FailedPreconditionError("the server already started");

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options_.tls);
  if (!credentials.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS setup failed: ", credentials.status().message()));
  }

  // Both must be called before the builder exists.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  const std::string grpc_address = HostPort(options_.listen_address, options_.grpc_port);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(grpc_address, *credentials, &grpc_port_);
  builder.RegisterService(&translator_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
  // gRPC sets SO_REUSEPORT by default, which lets a second server silently
  // share a port that is in use. A busy port must be an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || grpc_port_ == 0) {
    grpc_server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", grpc_address,
                                               ": is the port in use? Choose another with "
                                               "--grpc_port (0 picks a free one)"));
  }

  if (absl::Status status = metrics_.Serve(options_.listen_address, options_.metrics_port);
      !status.ok()) {
    Shutdown();
    return status;
  }

  grpc::HealthCheckServiceInterface* health = grpc_server_->GetHealthCheckService();
  health->SetServingStatus("", true);
  health->SetServingStatus(kTranslatorServiceName, true);

  LogInfo(absl::StrCat("gRPC listening on ", HostPort(options_.listen_address, grpc_port_),
                       options_.tls.enabled()
                           ? (options_.tls.client_ca_file.empty() ? " (TLS)" : " (mutual TLS)")
                           : " (plaintext)"));
  LogInfo(absl::StrCat("metrics on http://", HostPort(options_.listen_address, metrics_port()),
                       "/metrics"));

  if (!options_.port_file.empty()) {
    if (absl::Status status = WritePortFile(options_.port_file, grpc_port_, metrics_port());
        !status.ok()) {
      Shutdown();
      return status;
    }
  }
  return absl::OkStatus();
}

void Server::Shutdown() {
  if (grpc_server_ != nullptr) {
    grpc_server_->GetHealthCheckService()->SetServingStatus(false);
    const auto deadline =
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(absl::ToInt64Milliseconds(options_.drain_timeout));
    grpc_server_->Shutdown(deadline);
    grpc_server_->Wait();
    grpc_server_.reset();
  }
  metrics_.Stop();
}

}  // namespace tserve::server

#include "server/server.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "server/log.h"
#include "server/port_file.h"
#include "server/tls.h"

namespace tserve::server {

namespace {

// The name clients pass to grpc.health.v1.Health/Check for this service.
constexpr char kTranslatorServiceName[] = "tserve.v1.Translator";

// The limits the service checks requests against, with the reply size gRPC
// can send.
RequestLimits ServiceLimits(const ServerOptions& options) {
  RequestLimits limits = options.limits;
  limits.max_reply_bytes = options.max_message_bytes;
  return limits;
}

}  // namespace

Server::Server(ServerOptions options)
    : options_(std::move(options)), translator_(ServiceLimits(options_), &metrics_) {}

Server::~Server() { Shutdown(); }

absl::Status Server::Start() {
  if (grpc_server_ != nullptr) return absl::FailedPreconditionError("the server already started");

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options_.tls);
  if (!credentials.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS setup failed: ", credentials.status().message()));
  }

  // Before the builder exists. The health service is tserve's own
  // (server/health_service.h), not gRPC's built-in one.
  grpc::EnableDefaultHealthCheckService(false);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  const std::string grpc_address = HostPort(options_.listen_address, options_.grpc_port);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(grpc_address, *credentials, &grpc_port_);
  builder.RegisterService(&translator_);
  builder.RegisterService(&health_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
  // gRPC sets SO_REUSEPORT by default, which lets a second server silently
  // share a port that is in use. A busy port must be an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (options_.max_connection_age > absl::ZeroDuration()) {
    // Connections end after this age (the calls on them get the grace period
    // to finish), so round-robin clients re-resolve and spread over replicas
    // that joined after they connected.
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_MS,
        static_cast<int>(absl::ToInt64Milliseconds(options_.max_connection_age)));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(options_.drain_timeout)));
  }
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

  health_.SetServingStatus("", false);
  health_.SetServingStatus(kTranslatorServiceName, false);

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

absl::Status Server::LoadModels() {
  if (grpc_server_ == nullptr) return absl::FailedPreconditionError("the server is not started");
  for (const ModelSpec& spec : options_.models) {
    const engine::ComputeType compute_type =
        ResolveComputeType(spec.compute_type ? spec.compute_type : options_.compute_type);
    LogInfo(absl::StrCat("loading model ", spec.name, " from ", spec.path, " (",
                         std::string(engine::ComputeTypeName(compute_type)), ")"));
    absl::StatusOr<std::unique_ptr<ServedModel>> model =
        LoadServedModel(spec, options_, compute_type, metrics_);
    if (!model.ok()) return model.status();
    const engine::ModelConfig& c = (*model)->model->config();
    LogInfo(absl::StrCat("model ", spec.name, " loaded and warmed up in ",
                         absl::FormatDuration(absl::Seconds((*model)->load_seconds)), " (d_model ",
                         c.d_model, ", ", c.encoder_layers, "+", c.decoder_layers,
                         " layers, default beam ", (*model)->defaults.beam_size,
                         ", default max_length ", (*model)->defaults.max_length, ")"));
    models_.Add(std::move(model).value());
  }
  translator_.SetModels(&models_);
  health_.SetServingStatus("", true);
  health_.SetServingStatus(kTranslatorServiceName, true);
  return absl::OkStatus();
}

void Server::Shutdown() {
  if (grpc_server_ != nullptr) {
    // NOT_SERVING for good; open Watch calls are told so and end, so they
    // do not hold the shutdown below until its deadline.
    health_.Shutdown();
    translator_.StartDraining();
    const absl::Time deadline = absl::Now() + options_.drain_timeout;
    if (!models_.Drain(deadline)) {
      LogWarning("drain timeout: sentences still queued or decoding fail with UNAVAILABLE");
    }
    // Every admitted sentence has its answer now (or gets UNAVAILABLE here),
    // so every call can finish; replies still being written get the rest of
    // the drain time.
    models_.Stop();
    grpc_server_->Shutdown(absl::ToChronoTime(std::max(deadline, absl::Now() + absl::Seconds(1))));
    grpc_server_->Wait();
    grpc_server_.reset();
  }
  models_.Stop();
  metrics_.Stop();
}

}  // namespace tserve::server

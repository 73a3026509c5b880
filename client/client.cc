#include "client/client.h"

#include <chrono>
#include <utility>

#include "client/credentials.h"
#include "client/target.h"

namespace tserve::client {

absl::Status ToAbslStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::StatusOr<std::unique_ptr<Client>> Client::Create(const ClientOptions& options) {
  absl::StatusOr<std::string> target = ChannelTarget(options.address);
  if (!target.ok()) return target.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options);
  if (!credentials.ok()) return credentials.status();

  grpc::ChannelArguments arguments;
  arguments.SetLoadBalancingPolicyName("round_robin");
  arguments.SetMaxReceiveMessageSize(options.max_message_bytes);
  arguments.SetMaxSendMessageSize(options.max_message_bytes);
  if (!options.tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options.tls_server_name);
  }
  return std::make_unique<Client>(grpc::CreateCustomChannel(*target, *credentials, arguments),
                                  options.timeout);
}

Client::Client(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : channel_(std::move(channel)),
      translator_(tserve::v1::Translator::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)),
      timeout_(timeout) {}

void Client::SetDeadline(grpc::ClientContext& context, const CallOptions& call) const {
  const absl::Duration timeout = call.timeout.value_or(timeout_);
  if (timeout == absl::InfiniteDuration()) return;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
}

absl::StatusOr<Client::ServingStatus> Client::Health(absl::string_view service) {
  grpc::ClientContext context;
  SetDeadline(context);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(std::string(service));
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = health_->Check(&context, request, &response);
  if (!status.ok()) return ToAbslStatus(status);
  return response.status();
}

absl::StatusOr<tserve::v1::TranslateResponse> Client::Translate(
    const tserve::v1::TranslateRequest& request, const CallOptions& call) {
  grpc::ClientContext context;
  SetDeadline(context, call);
  CallCancellation::Attachment attachment(call.cancellation, context);
  tserve::v1::TranslateResponse response;
  grpc::Status status = translator_->Translate(&context, request, &response);
  if (!status.ok()) return ToAbslStatus(status);
  return response;
}

absl::Status Client::TranslateStream(
    const tserve::v1::TranslateStreamRequest& request,
    absl::FunctionRef<void(const tserve::v1::TranslateStreamResponse&)> on_response,
    const CallOptions& call) {
  grpc::ClientContext context;
  SetDeadline(context, call);
  CallCancellation::Attachment attachment(call.cancellation, context);
  std::unique_ptr<grpc::ClientReader<tserve::v1::TranslateStreamResponse>> reader =
      translator_->TranslateStream(&context, request);
  tserve::v1::TranslateStreamResponse response;
  while (reader->Read(&response)) on_response(response);
  return ToAbslStatus(reader->Finish());
}

absl::StatusOr<tserve::v1::EncodeResponse> Client::Encode(
    const tserve::v1::EncodeRequest& request, const CallOptions& call) {
  grpc::ClientContext context;
  SetDeadline(context, call);
  CallCancellation::Attachment attachment(call.cancellation, context);
  tserve::v1::EncodeResponse response;
  grpc::Status status = translator_->Encode(&context, request, &response);
  if (!status.ok()) return ToAbslStatus(status);
  return response;
}

absl::StatusOr<tserve::v1::GetModelInfoResponse> Client::GetModelInfo(
    const tserve::v1::GetModelInfoRequest& request) {
  grpc::ClientContext context;
  SetDeadline(context);
  tserve::v1::GetModelInfoResponse response;
  grpc::Status status = translator_->GetModelInfo(&context, request, &response);
  if (!status.ok()) return ToAbslStatus(status);
  return response;
}

}  // namespace tserve::client

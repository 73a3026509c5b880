#ifndef TSERVE_CLIENT_CLIENT_H_
#define TSERVE_CLIENT_CLIENT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/call_cancellation.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tserve/v1/tserve.grpc.pb.h"

namespace tserve::client {

struct ClientOptions {
  // One server or several: "host:port", "ip:port,ip:port", or any gRPC
  // target URI ("dns:///name:port"). See ChannelTarget() in target.h.
  std::string address = "127.0.0.1:50051";

  // TLS. Plaintext unless `tls` is set or any of the files is given. Without
  // a CA file the system's trusted roots verify the server.
  bool tls = false;
  std::string tls_ca_file;
  // Client certificate and key, for servers that require mutual TLS.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Host name expected in the server's certificate, when it differs from the
  // address (e.g. connecting by IP to a certificate issued for a name).
  std::string tls_server_name;

  // Deadline of every call; absl::InfiniteDuration() for none.
  absl::Duration timeout = absl::Seconds(30);
  int max_message_bytes = 16 << 20;
};

// Settings of one call that differ from the client's.
struct CallOptions {
  // This call's deadline instead of ClientOptions::timeout
  // (absl::InfiniteDuration() for none).
  std::optional<absl::Duration> timeout;
  // Lets another thread cancel the call while it runs; may be null.
  CallCancellation* cancellation = nullptr;
};

// A client of the tserve gRPC API over one channel, balanced round-robin over
// every server address. Thread-safe: calls may run concurrently.
class Client {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  // Reads TLS files and creates the channel; connecting happens on the first
  // call.
  static absl::StatusOr<std::unique_ptr<Client>> Create(const ClientOptions& options);

  Client(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  // grpc.health.v1.Health/Check; "" asks about the server as a whole,
  // "tserve.v1.Translator" about the translation service.
  absl::StatusOr<ServingStatus> Health(absl::string_view service = "");

  absl::StatusOr<tserve::v1::TranslateResponse> Translate(
      const tserve::v1::TranslateRequest& request, const CallOptions& call = {});

  // Calls `on_response` for every streamed message, in order, then returns
  // the call's final status.
  absl::Status TranslateStream(
      const tserve::v1::TranslateStreamRequest& request,
      absl::FunctionRef<void(const tserve::v1::TranslateStreamResponse&)> on_response,
      const CallOptions& call = {});

  absl::StatusOr<tserve::v1::EncodeResponse> Encode(const tserve::v1::EncodeRequest& request,
                                                    const CallOptions& call = {});

  absl::StatusOr<tserve::v1::GetModelInfoResponse> GetModelInfo(
      const tserve::v1::GetModelInfoRequest& request = {});

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  void SetDeadline(grpc::ClientContext& context, const CallOptions& call = {}) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<tserve::v1::Translator::Stub> translator_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  absl::Duration timeout_;
};

// gRPC and Abseil share status code numbers; this keeps code and message.
absl::Status ToAbslStatus(const grpc::Status& status);

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_CLIENT_H_

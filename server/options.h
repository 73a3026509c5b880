#ifndef TSERVE_SERVER_OPTIONS_H_
#define TSERVE_SERVER_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/ops/compute_type.h"

namespace tserve::server {

// A model to serve: a Hugging Face MarianMT directory and the name requests
// use to select it.
struct ModelSpec {
  std::string name;
  std::string path;
  // From --compute_type NAME=TYPE; unset: the server's default type.
  std::optional<engine::ComputeType> compute_type = std::nullopt;

  bool operator==(const ModelSpec&) const = default;
};

// Parses one --model value: `NAME=DIR`, or `DIR` alone, in which case the
// name is the directory's base name (`models/opus-mt-en-es/` -> `opus-mt-en-es`).
// A value is only split at `=` when the text before it is a valid name
// (letters, digits, `.`, `_`, `-`), so directories containing `=` still work.
absl::StatusOr<ModelSpec> ParseModelSpec(absl::string_view spec);

// --compute_type: one of the engine's types (engine/ops/compute_type.h), or
// "auto" (nullopt): the fastest type the engine has for this CPU.
absl::StatusOr<std::optional<engine::ComputeType>> ParseComputeType(absl::string_view name);

// The whole --compute_type value: comma-separated entries, each either a
// type (the default of every model; "auto" when none is given) or NAME=TYPE
// for the model called NAME, which must be one of `models`. Sets
// `default_type` and the models' own types.
absl::Status ParseComputeTypes(absl::string_view value,
                               std::optional<engine::ComputeType>& default_type,
                               std::vector<ModelSpec>& models);

// Limits of the batching scheduler (see DESIGN.md, "Batching").
struct BatchingOptions {
  int max_batch_size = 32;
  int max_batch_tokens = 8192;
  absl::Duration max_queue_delay = absl::Milliseconds(5);
  int max_queue_sentences = 1024;
  int max_queue_tokens = 262144;
  int max_live_sequences = 256;
  // Most encoder work between two decoder steps, in tokens; 0: no bound.
  int max_encoder_tokens_per_step = 32;
};

// Per-request limits; requests beyond them get INVALID_ARGUMENT.
struct RequestLimits {
  int max_input_tokens = 512;
  int max_decoding_length = 256;
  int max_beam_size = 8;
  int max_texts_per_request = 256;
  // Largest reply gRPC sends (--max_message_bytes); a reply known to be
  // larger is refused before any engine work.
  int64_t max_reply_bytes = int64_t{16} << 20;
};

// PEM files for TLS. Empty cert and key: plaintext. A client CA turns on
// mutual TLS: clients must present a certificate signed by it.
struct TlsOptions {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Everything the server is configured with. Built from flags (flags.h) in the
// binary and directly in tests.
struct ServerOptions {
  std::string listen_address = "127.0.0.1";
  int grpc_port = 50051;
  int metrics_port = 9091;
  std::string port_file;
  std::vector<ModelSpec> models;
  std::optional<engine::ComputeType> compute_type;  // unset: auto
  int threads = 0;
  BatchingOptions batching;
  RequestLimits limits;
  int64_t max_message_bytes = int64_t{16} << 20;
  absl::Duration drain_timeout = absl::Seconds(30);
  absl::Duration max_connection_age = absl::ZeroDuration();  // zero: unlimited
  TlsOptions tls;
  // --check_model: the directory to check instead of serving (empty: serve).
  std::string check_model;
};

// Checks ranges, that model directories and TLS files exist, and that
// options that only make sense together are given together. The message
// names the flag to change.
absl::Status ValidateServerOptions(const ServerOptions& options);

// Formats `address:port` for a listener, bracketing IPv6 literals.
std::string HostPort(absl::string_view address, int port);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_OPTIONS_H_

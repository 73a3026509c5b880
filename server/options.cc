#include "server/options.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <system_error>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tserve::server {

namespace {

namespace fs = std::filesystem;

bool IsValidModelName(absl::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::Status CheckRange(absl::string_view flag, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", value, " is out of range: use a value in [", min, ", ", max, "]"));
  }
  return absl::OkStatus();
}

absl::Status CheckPositive(absl::string_view flag, int64_t value) {
  return CheckRange(flag, value, 1, std::numeric_limits<int32_t>::max());
}

absl::Status CheckRegularFile(absl::string_view flag, const std::string& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", path, ": no such file (give the path of a PEM file)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelSpec> ParseModelSpec(absl::string_view spec) {
  ModelSpec model;
  size_t eq = spec.find('=');
  if (eq != absl::string_view::npos && IsValidModelName(spec.substr(0, eq))) {
    model.name = std::string(spec.substr(0, eq));
    model.path = std::string(spec.substr(eq + 1));
  } else {
    model.path = std::string(spec);
    absl::string_view base = spec;
    while (base.size() > 1 && absl::ConsumeSuffix(&base, "/")) {
    }
    size_t slash = base.rfind('/');
    if (slash != absl::string_view::npos) base.remove_prefix(slash + 1);
    model.name = std::string(base);
  }
  if (model.path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--model=", spec, ": no directory given; use NAME=DIR or DIR"));
  }
  if (!IsValidModelName(model.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--model=", spec, ": cannot derive a model name from the directory; use NAME=DIR with ",
        "a name made of letters, digits, '.', '_' and '-'"));
  }
  return model;
}

absl::StatusOr<std::optional<engine::ComputeType>> ParseComputeType(absl::string_view name) {
  if (name == "auto") return std::optional<engine::ComputeType>();
  if (std::optional<engine::ComputeType> type =
          engine::ParseComputeType(std::string_view(name.data(), name.size()))) {
    return type;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--compute_type=", name, " is not a compute type: use auto, float32, bfloat16 or int8"));
}

absl::Status ParseComputeTypes(absl::string_view value,
                               std::optional<engine::ComputeType>& default_type,
                               std::vector<ModelSpec>& models) {
  default_type.reset();
  bool default_given = false;
  for (absl::string_view entry : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const size_t eq = entry.find('=');
    absl::StatusOr<std::optional<engine::ComputeType>> type =
        ParseComputeType(eq == absl::string_view::npos ? entry : entry.substr(eq + 1));
    if (!type.ok()) return type.status();
    if (eq == absl::string_view::npos) {
      if (default_given) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--compute_type=", value, ": more than one default type; give one TYPE and ",
            "NAME=TYPE for the models that differ"));
      }
      default_given = true;
      default_type = *type;
      continue;
    }
    const absl::string_view name = entry.substr(0, eq);
    auto model = std::find_if(models.begin(), models.end(),
                              [name](const ModelSpec& m) { return m.name == name; });
    if (model == models.end()) {
      std::vector<std::string> names;
      for (const ModelSpec& m : models) names.push_back(m.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "--compute_type=", value, ": no --model is named '", name,
          "' (models: ", names.empty() ? std::string("none") : absl::StrJoin(names, ", "), ")"));
    }
    model->compute_type = *type;
  }
  return absl::OkStatus();
}

absl::Status ValidateServerOptions(const ServerOptions& options) {
  std::vector<absl::Status> errors;
  auto add = [&errors](absl::Status status) {
    if (!status.ok()) errors.push_back(std::move(status));
  };

  if (options.listen_address.empty()) {
    add(absl::InvalidArgumentError(
        "--listen_address is empty: use 127.0.0.1 (local only) or 0.0.0.0 (all interfaces)"));
  }
  add(CheckRange("grpc_port", options.grpc_port, 0, 65535));
  add(CheckRange("metrics_port", options.metrics_port, 0, 65535));
  if (options.grpc_port != 0 && options.grpc_port == options.metrics_port) {
    add(absl::InvalidArgumentError(
        absl::StrCat("--grpc_port and --metrics_port are both ", options.grpc_port,
                     ": the gRPC and metrics listeners need different ports")));
  }
  add(CheckRange("threads", options.threads, 0, 4096));

  const BatchingOptions& b = options.batching;
  add(CheckPositive("max_batch_size", b.max_batch_size));
  add(CheckPositive("max_batch_tokens", b.max_batch_tokens));
  add(CheckRange("max_queue_delay_ms", absl::ToInt64Milliseconds(b.max_queue_delay), 0, 60000));
  add(CheckPositive("max_queue_sentences", b.max_queue_sentences));
  add(CheckPositive("max_queue_tokens", b.max_queue_tokens));
  add(CheckPositive("max_live_sequences", b.max_live_sequences));
  add(CheckRange("max_encoder_tokens_per_step", b.max_encoder_tokens_per_step, 0,
                 std::numeric_limits<int32_t>::max()));

  const RequestLimits& l = options.limits;
  add(CheckPositive("max_input_tokens", l.max_input_tokens));
  add(CheckPositive("max_decoding_length", l.max_decoding_length));
  add(CheckPositive("max_beam_size", l.max_beam_size));
  add(CheckPositive("max_texts_per_request", l.max_texts_per_request));
  add(CheckRange("max_message_bytes", options.max_message_bytes, 1024,
                 std::numeric_limits<int32_t>::max()));
  add(CheckRange("drain_timeout_s", absl::ToInt64Seconds(options.drain_timeout), 0, 3600));
  add(CheckRange("max_connection_age_s", absl::ToInt64Seconds(options.max_connection_age), 0,
                 86400));
  // A request the queue could never hold would be refused as "queue full"
  // forever, its client told to retry.
  if (b.max_queue_sentences > 0 && l.max_texts_per_request > b.max_queue_sentences) {
    add(absl::InvalidArgumentError(
        absl::StrCat("--max_queue_sentences=", b.max_queue_sentences,
                     " is below --max_texts_per_request=", l.max_texts_per_request,
                     ": a request of that many texts could never be queued; raise "
                     "--max_queue_sentences or lower --max_texts_per_request")));
  }
  const int64_t largest_request =
      static_cast<int64_t>(l.max_texts_per_request) * static_cast<int64_t>(l.max_input_tokens);
  if (b.max_queue_tokens > 0 && l.max_texts_per_request > 0 && l.max_input_tokens > 0 &&
      largest_request > b.max_queue_tokens) {
    add(absl::InvalidArgumentError(
        absl::StrCat("--max_queue_tokens=", b.max_queue_tokens,
                     " is below --max_texts_per_request × "
                     "--max_input_tokens (",
                     l.max_texts_per_request, " × ", l.max_input_tokens, " = ", largest_request,
                     "): the largest allowed request could never be queued; raise "
                     "--max_queue_tokens or lower --max_texts_per_request or --max_input_tokens")));
  }

  absl::flat_hash_set<std::string> names;
  for (const ModelSpec& model : options.models) {
    if (!names.insert(model.name).second) {
      add(absl::InvalidArgumentError(absl::StrCat(
          "--model: the name '", model.name, "' is used twice; give each model its own NAME=DIR")));
    }
    std::error_code error;
    if (!fs::is_directory(model.path, error)) {
      add(absl::InvalidArgumentError(
          absl::StrCat("--model=", model.name, "=", model.path,
                       ": no such directory (give a Hugging Face MarianMT model directory)")));
    }
  }

  const TlsOptions& tls = options.tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    add(absl::InvalidArgumentError(
        "--tls_cert and --tls_key go together: give both for TLS, or neither for plaintext"));
  }
  if (!tls.client_ca_file.empty() && !tls.enabled()) {
    add(absl::InvalidArgumentError(
        "--tls_client_ca needs TLS: also give --tls_cert and --tls_key"));
  }
  if (!tls.cert_file.empty()) add(CheckRegularFile("tls_cert", tls.cert_file));
  if (!tls.key_file.empty()) add(CheckRegularFile("tls_key", tls.key_file));
  if (!tls.client_ca_file.empty()) add(CheckRegularFile("tls_client_ca", tls.client_ca_file));

  if (errors.empty()) return absl::OkStatus();
  std::vector<std::string> messages;
  for (const absl::Status& status : errors) messages.emplace_back(status.message());
  return absl::InvalidArgumentError(absl::StrJoin(messages, "; "));
}

std::string HostPort(absl::string_view address, int port) {
  if (absl::StrContains(address, ':') && !absl::StartsWith(address, "[")) {
    return absl::StrCat("[", address, "]:", port);
  }
  return absl::StrCat(address, ":", port);
}

}  // namespace tserve::server

#include "server/flags.h"

#include <cstdint>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/build_info.h"

// Listeners.
ABSL_FLAG(std::string, listen_address, "127.0.0.1",
          "Address the gRPC and metrics listeners bind to: 127.0.0.1 for local use, 0.0.0.0 "
          "(or ::) for every interface, as in containers.");
ABSL_FLAG(int32_t, grpc_port, 50051, "gRPC port; 0 picks a free port (see --port_file).");
ABSL_FLAG(int32_t, metrics_port, 9091,
          "Port of the Prometheus /metrics endpoint; 0 picks a free port.");
ABSL_FLAG(std::string, port_file, "",
          "When set, once both listeners are bound, write 'grpc_port=N' and 'metrics_port=M' "
          "lines to this file (atomically), so callers can find ports picked with 0.");

// Models and compute.
ABSL_FLAG(std::vector<std::string>, model, {},
          "Model to serve: NAME=DIR or DIR (the name is then the directory's base name), where "
          "DIR is a Hugging Face MarianMT directory. Repeat the flag or separate with commas.");
ABSL_FLAG(std::string, compute_type, "auto",
          "Type matrix products run in: auto (fastest the CPU supports), float32, bfloat16 or "
          "int8; NAME=TYPE entries, separated by commas, set the type of one model (e.g. "
          "int8,en-fr=float32).");
ABSL_FLAG(int32_t, threads, 0, "Intra-op threads of the engine; 0 uses every core.");
ABSL_FLAG(std::string, check_model, "",
          "Instead of serving: load the model directory DIR, print what it holds (weights "
          "format, shapes, vocabularies, special ids, target languages, generation settings, "
          "what is ignored), translate one sentence, and exit 0 when tserve can serve it, 1 "
          "when not. Honours --compute_type and --threads.");

// Batching.
ABSL_FLAG(int32_t, max_batch_size, 32, "Most sentences encoded together in one batch.");
ABSL_FLAG(int32_t, max_batch_tokens, 8192, "Most padded source tokens in one batch.");
ABSL_FLAG(int32_t, max_queue_delay_ms, 5,
          "Longest time a sentence waits for its batch to fill, in milliseconds.");
ABSL_FLAG(int32_t, max_queue_sentences, 1024,
          "Most sentences waiting in the admission queue; beyond it requests get "
          "RESOURCE_EXHAUSTED.");
ABSL_FLAG(int32_t, max_queue_tokens, 262144,
          "Most source tokens waiting in the admission queue; beyond it requests get "
          "RESOURCE_EXHAUSTED.");
ABSL_FLAG(int32_t, max_live_sequences, 256, "Most sequences the decoder advances at once.");
ABSL_FLAG(int32_t, max_encoder_tokens_per_step, 32,
          "Most encoder work between two decoder steps, in source tokens: longer inputs are "
          "encoded in slices between decoder steps, so one long request never stalls the others "
          "(0: no bound, a whole batch is encoded at once).");

// Request limits.
ABSL_FLAG(int32_t, max_input_tokens, 512,
          "Longest accepted input in tokens (end-of-sentence included).");
ABSL_FLAG(int32_t, max_decoding_length, 256, "Largest max_length a request may ask for.");
ABSL_FLAG(int32_t, max_beam_size, 8, "Largest beam_size a request may ask for.");
ABSL_FLAG(int32_t, max_texts_per_request, 256, "Most texts in one Translate or Encode request.");
ABSL_FLAG(int64_t, max_message_bytes, int64_t{16} << 20,
          "Largest gRPC message received or sent, in bytes.");

// Lifecycle and security.
ABSL_FLAG(int32_t, drain_timeout_s, 30,
          "On SIGTERM/SIGINT, seconds to let in-flight requests finish before they are "
          "cancelled.");
ABSL_FLAG(int32_t, max_connection_age_s, 0,
          "Close each client connection (with GOAWAY, letting its calls finish) after this "
          "many seconds, so that clients balancing round-robin over DNS reconnect and reach "
          "replicas added since; 0 keeps connections open.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the server; with --tls_key turns on TLS.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of the server.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when set, clients must present a certificate it signed (mutual TLS).");

namespace tserve::server {

namespace {

// Shows this binary's flags (not the libraries') in --help.
bool IsServerFlagFile(absl::string_view filename) {
  return absl::StrContains(filename, "server/flags.cc");
}

void ConfigureUsage() {
  absl::SetProgramUsageMessage(
      "Serves encoder-decoder Transformer models (MarianMT / OPUS-MT) over gRPC.\n"
      "Every flag can also be set through the environment variable TSERVE_<FLAG NAME IN UPPER "
      "CASE>,\ne.g. TSERVE_GRPC_PORT=50051; the command line wins.\n\n"
      "Usage: tserve-server [--model=NAME=DIR ...] [flags]");
  absl::FlagsUsageConfig config;
  config.contains_helpshort_flags = IsServerFlagFile;
  config.contains_help_flags = IsServerFlagFile;
  config.version_string = [] { return absl::StrCat("tserve-server ", Version(), "\n"); };
  // Source paths are absolute in CMake builds; show them from the repository root.
  config.normalize_filename = [](absl::string_view filename) {
    const size_t start = filename.rfind("server/");
    return std::string(start == absl::string_view::npos ? filename : filename.substr(start));
  };
  absl::SetFlagsUsageConfig(config);
}

// Matches `-name`, `--name`, `-name=...` and `--name=...`; sets *value for
// the `=` forms and returns whether the argument names the flag.
bool MatchFlag(absl::string_view arg, absl::string_view name, std::optional<std::string>* value) {
  if (!absl::ConsumePrefix(&arg, "--")) {
    if (!absl::ConsumePrefix(&arg, "-")) return false;
  }
  if (!absl::ConsumePrefix(&arg, name)) return false;
  if (arg.empty()) {
    value->reset();
    return true;
  }
  if (!absl::ConsumePrefix(&arg, "=")) return false;
  *value = std::string(arg);
  return true;
}

}  // namespace

std::vector<std::string> MergeRepeatedListFlag(const std::vector<std::string>& args,
                                               absl::string_view flag_name) {
  std::vector<std::string> rest;
  std::vector<std::string> values;
  size_t first_position = 0;
  bool seen = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    std::optional<std::string> value;
    if (i == 0 || !MatchFlag(args[i], flag_name, &value)) {
      rest.push_back(args[i]);
      continue;
    }
    if (!value.has_value()) {
      // `--model DIR`: the value is the next argument. A trailing `--model`
      // is left for Abseil to report.
      if (i + 1 == args.size()) {
        rest.push_back(args[i]);
        continue;
      }
      value = args[++i];
    }
    if (!seen) first_position = rest.size();
    seen = true;
    if (!value->empty()) values.push_back(*std::move(value));
  }
  if (!seen) return rest;
  rest.insert(rest.begin() + static_cast<std::ptrdiff_t>(first_position),
              absl::StrCat("--", flag_name, "=", absl::StrJoin(values, ",")));
  return rest;
}

absl::StatusOr<ServerOptions> ServerOptionsFromFlags() {
  ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen_address);
  options.grpc_port = absl::GetFlag(FLAGS_grpc_port);
  options.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  options.port_file = absl::GetFlag(FLAGS_port_file);

  for (const std::string& spec : absl::GetFlag(FLAGS_model)) {
    if (spec.empty()) continue;
    absl::StatusOr<ModelSpec> model = ParseModelSpec(spec);
    if (!model.ok()) return model.status();
    options.models.push_back(*std::move(model));
  }
  if (absl::Status status = ParseComputeTypes(absl::GetFlag(FLAGS_compute_type),
                                              options.compute_type, options.models);
      !status.ok()) {
    return status;
  }
  options.threads = absl::GetFlag(FLAGS_threads);
  options.check_model = absl::GetFlag(FLAGS_check_model);

  options.batching.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  options.batching.max_batch_tokens = absl::GetFlag(FLAGS_max_batch_tokens);
  options.batching.max_queue_delay = absl::Milliseconds(absl::GetFlag(FLAGS_max_queue_delay_ms));
  options.batching.max_queue_sentences = absl::GetFlag(FLAGS_max_queue_sentences);
  options.batching.max_queue_tokens = absl::GetFlag(FLAGS_max_queue_tokens);
  options.batching.max_live_sequences = absl::GetFlag(FLAGS_max_live_sequences);
  options.batching.max_encoder_tokens_per_step = absl::GetFlag(FLAGS_max_encoder_tokens_per_step);

  options.limits.max_input_tokens = absl::GetFlag(FLAGS_max_input_tokens);
  options.limits.max_decoding_length = absl::GetFlag(FLAGS_max_decoding_length);
  options.limits.max_beam_size = absl::GetFlag(FLAGS_max_beam_size);
  options.limits.max_texts_per_request = absl::GetFlag(FLAGS_max_texts_per_request);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.drain_timeout = absl::Seconds(absl::GetFlag(FLAGS_drain_timeout_s));
  options.max_connection_age = absl::Seconds(absl::GetFlag(FLAGS_max_connection_age_s));

  options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);

  if (absl::Status status = ValidateServerOptions(options); !status.ok()) return status;
  return options;
}

absl::StatusOr<ServerOptions> ParseServerFlags(int argc, char** argv,
                                               const EnvironmentLookup& lookup) {
  // Abseil allows the usage message to be set only once per process.
  static const bool usage_configured = (ConfigureUsage(), true);
  (void)usage_configured;
  if (absl::Status status = ApplyEnvironmentToFlags(lookup); !status.ok()) return status;

  std::vector<std::string> args =
      MergeRepeatedListFlag(std::vector<std::string>(argv, argv + argc), "model");
  std::vector<char*> arg_pointers;
  for (std::string& arg : args) arg_pointers.push_back(arg.data());
  arg_pointers.push_back(nullptr);
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), arg_pointers.data());
  if (positional.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", positional[1],
                     "': tserve-server takes only flags (models go in --model=NAME=DIR)"));
  }
  return ServerOptionsFromFlags();
}

}  // namespace tserve::server

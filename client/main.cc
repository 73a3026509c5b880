// tserve-client: command-line client of a tserve server.
//
//   tserve-client health [--service=NAME]     exit 0 only when SERVING
//   tserve-client info [--model=NAME]         loaded models, as JSON
//   tserve-client translate [TEXT...]         TEXTs, or one text per stdin line
//   tserve-client encode [TEXT...]            encoder states, as JSON
//   tserve-client bench [--input=FILE]        closed-loop load; throughput and latency
//
// Exit status: 0 success, 1 the server answered with an error (bench: a call
// failed in a way the flags did not provoke), 2 usage error.

#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/bench_flags.h"
#include "client/client.h"
#include "client/commands.h"

// Connection.
ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "Server address: HOST:PORT, several IP:PORT separated by commas (balanced "
          "round-robin), or a gRPC target such as dns:///NAME:PORT.");
ABSL_FLAG(double, timeout_s, 30, "Deadline of each call in seconds; 0 for none.");
ABSL_FLAG(bool, tls, false, "Use TLS, verifying the server with the system's trusted CAs.");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA bundle that verifies the server (implies --tls).");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate, for mutual TLS (implies --tls).");
ABSL_FLAG(std::string, tls_key, "", "PEM key of --tls_cert.");
ABSL_FLAG(std::string, tls_server_name, "",
          "Name expected in the server certificate, when it differs from the address.");

// health
ABSL_FLAG(std::string, service, "",
          "health: service to check; empty for the whole server, or tserve.v1.Translator.");

// translate, encode, info
ABSL_FLAG(std::string, model, "", "Model name; empty when the server has one model.");
ABSL_FLAG(bool, truncate, false,
          "Cut inputs longer than the server's limit instead of failing the request.");
ABSL_FLAG(int32_t, batch_size, 32, "Texts sent per request.");

// translate
ABSL_FLAG(uint32_t, beam_size, 0, "Beam width; 1 is greedy, 0 the server default.");
ABSL_FLAG(uint32_t, num_hypotheses, 0, "Hypotheses returned per text (n-best); 0 means 1.");
ABSL_FLAG(uint32_t, max_length, 0, "Most target tokens; 0 the server default.");
ABSL_FLAG(uint32_t, min_length, 0, "Fewest target tokens before end of sentence.");
ABSL_FLAG(std::optional<double>, length_penalty, std::nullopt,
          "Beam score normalisation exponent; unset means 1.0.");
ABSL_FLAG(double, temperature, 0, "Sampling temperature; 0 disables sampling.");
ABSL_FLAG(uint32_t, topk, 0, "Sample among the k most likely tokens; 0 keeps all.");
ABSL_FLAG(std::optional<double>, topp, std::nullopt,
          "Sample among the most likely tokens whose probability reaches p.");
ABSL_FLAG(std::optional<uint64_t>, seed, std::nullopt, "Sampling seed; unset picks one.");
ABSL_FLAG(std::string, target_language, "",
          "Language to translate into, for models with several (a code such as por, or "
          "deu_Latn for NLLB-200; 'info' lists a model's target_languages). Empty: the model's "
          "only one, or the texts' own >>por<< prefix (MarianMT).");
ABSL_FLAG(std::string, source_language, "",
          "translate, encode: language of the texts, for models that need it (NLLB-200, "
          "M2M100, mBART-50: a code such as eng_Latn or en; 'info' lists a model's "
          "source_languages). Empty for MarianMT models.");
ABSL_FLAG(std::string, target_prefix, "", "Text the translation must start with.");
ABSL_FLAG(bool, scores, false, "Print each hypothesis' score before it, tab-separated.");
ABSL_FLAG(bool, json, false,
          "Print responses as JSON lines instead of text (bench: the summary as one JSON line).");
ABSL_FLAG(bool, stream, false, "Use TranslateStream and print tokens as they arrive.");

// encode
ABSL_FLAG(std::string, pooling, "mean", "encode: mean, first or none (one vector per token).");
ABSL_FLAG(bool, normalize, false, "encode: divide each vector by its L2 norm.");

namespace tserve::client {
namespace {

constexpr char kUsage[] =
    "Command-line client of the tserve gRPC API.\n\n"
    "Usage: tserve-client COMMAND [flags] [TEXT...]\n"
    "  health      print the serving status; exit 0 only when SERVING\n"
    "  info        print the loaded models as JSON\n"
    "  translate   translate TEXTs, or each line of stdin\n"
    "  encode      print the encoder states of TEXTs (or stdin lines) as JSON\n"
    "  bench       closed-loop load from --concurrency clients over the --input texts;\n"
    "              prints requests/s, sentences/s, target tokens/s, latency percentiles\n"
    "              and errors by status code";

int UsageError(absl::string_view message) {
  std::cerr << "tserve-client: " << message << "\n"
            << "Run tserve-client --help for the commands and flags.\n";
  return 2;
}

bool IsClientFlagFile(absl::string_view filename) {
  return absl::StrContains(filename, "client/main.cc") ||
         absl::StrContains(filename, "client/bench_flags.cc");
}

// Texts from the arguments, or else one per line of stdin.
std::vector<std::string> ReadTexts(const std::vector<char*>& positional) {
  std::vector<std::string> texts(positional.begin() + 2, positional.end());
  if (texts.empty()) {
    for (std::string line; std::getline(std::cin, line);) texts.push_back(line);
  }
  return texts;
}

// bench: the lines of --input when given, else as ReadTexts().
absl::StatusOr<std::vector<std::string>> ReadBenchTexts(const std::vector<char*>& positional) {
  const std::string path = BenchInputFlag();
  if (path.empty()) return ReadTexts(positional);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("--input=", path, ": cannot read the file"));
  std::vector<std::string> texts;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) texts.push_back(line);
  }
  return texts;
}

tserve::v1::Truncation TruncationFromFlags() {
  return absl::GetFlag(FLAGS_truncate) ? tserve::v1::TRUNCATION_END
                                       : tserve::v1::TRUNCATION_UNSPECIFIED;
}

tserve::v1::TranslateRequest TranslateRequestFromFlags() {
  tserve::v1::TranslateRequest request;
  request.set_model(absl::GetFlag(FLAGS_model));
  request.set_truncation(TruncationFromFlags());
  request.set_target_language(absl::GetFlag(FLAGS_target_language));
  request.set_source_language(absl::GetFlag(FLAGS_source_language));
  tserve::v1::DecodingOptions& options = *request.mutable_options();
  options.set_beam_size(absl::GetFlag(FLAGS_beam_size));
  options.set_num_hypotheses(absl::GetFlag(FLAGS_num_hypotheses));
  options.set_max_length(absl::GetFlag(FLAGS_max_length));
  options.set_min_length(absl::GetFlag(FLAGS_min_length));
  if (auto penalty = absl::GetFlag(FLAGS_length_penalty)) {
    options.set_length_penalty(static_cast<float>(*penalty));
  }
  options.set_sampling_temperature(static_cast<float>(absl::GetFlag(FLAGS_temperature)));
  options.set_sampling_topk(absl::GetFlag(FLAGS_topk));
  if (auto topp = absl::GetFlag(FLAGS_topp)) options.set_sampling_topp(static_cast<float>(*topp));
  if (auto seed = absl::GetFlag(FLAGS_seed)) options.set_seed(*seed);
  options.set_target_prefix(absl::GetFlag(FLAGS_target_prefix));
  options.set_return_scores(absl::GetFlag(FLAGS_scores));
  return request;
}

absl::StatusOr<tserve::v1::EncodeRequest> EncodeRequestFromFlags() {
  tserve::v1::EncodeRequest request;
  request.set_model(absl::GetFlag(FLAGS_model));
  request.set_normalize(absl::GetFlag(FLAGS_normalize));
  request.set_truncation(TruncationFromFlags());
  request.set_source_language(absl::GetFlag(FLAGS_source_language));
  const std::string pooling = absl::GetFlag(FLAGS_pooling);
  if (pooling == "mean") {
    request.set_pooling(tserve::v1::POOLING_MEAN);
  } else if (pooling == "first") {
    request.set_pooling(tserve::v1::POOLING_FIRST);
  } else if (pooling == "none") {
    request.set_pooling(tserve::v1::POOLING_NONE);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--pooling=", pooling, ": use mean, first or none"));
  }
  return request;
}

int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  absl::FlagsUsageConfig usage;
  usage.contains_helpshort_flags = IsClientFlagFile;
  usage.contains_help_flags = IsClientFlagFile;
  usage.normalize_filename = [](absl::string_view filename) {
    const size_t start = filename.rfind("client/");
    return std::string(start == absl::string_view::npos ? filename : filename.substr(start));
  };
  absl::SetFlagsUsageConfig(usage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    return UsageError("no command given (health, info, translate, encode, bench)");
  }
  const std::string command = positional[1];

  ClientOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  const double timeout_s = absl::GetFlag(FLAGS_timeout_s);
  options.timeout = timeout_s > 0 ? absl::Seconds(timeout_s) : absl::InfiniteDuration();
  options.tls = absl::GetFlag(FLAGS_tls);
  options.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
  absl::StatusOr<std::unique_ptr<Client>> client = Client::Create(options);
  if (!client.ok()) return UsageError(client.status().message());

  if (command == "health" || command == "info") {
    if (positional.size() > 2) {
      return UsageError(absl::StrCat("'", command, "' takes no arguments"));
    }
    return command == "health"
               ? RunHealth(**client, absl::GetFlag(FLAGS_service), std::cout, std::cerr)
               : RunInfo(**client, absl::GetFlag(FLAGS_model), std::cout, std::cerr);
  }
  if (command == "translate") {
    TranslateOutput output;
    output.json = absl::GetFlag(FLAGS_json);
    output.scores = absl::GetFlag(FLAGS_scores);
    output.stream = absl::GetFlag(FLAGS_stream);
    output.batch_size = absl::GetFlag(FLAGS_batch_size);
    return RunTranslate(**client, TranslateRequestFromFlags(), ReadTexts(positional), output,
                        std::cout, std::cerr);
  }
  if (command == "encode") {
    absl::StatusOr<tserve::v1::EncodeRequest> request = EncodeRequestFromFlags();
    if (!request.ok()) return UsageError(request.status().message());
    return RunEncode(**client, *request, ReadTexts(positional), absl::GetFlag(FLAGS_batch_size),
                     std::cout, std::cerr);
  }
  if (command == "bench") {
    absl::StatusOr<tserve::v1::EncodeRequest> encode = EncodeRequestFromFlags();
    if (!encode.ok()) return UsageError(encode.status().message());
    absl::StatusOr<LoadOptions> load = LoadOptionsFromFlags(TranslateRequestFromFlags(), *encode);
    if (!load.ok()) return UsageError(load.status().message());
    absl::StatusOr<std::vector<std::string>> texts = ReadBenchTexts(positional);
    if (!texts.ok()) return UsageError(texts.status().message());
    if (texts->empty()) return UsageError("bench: no texts (give --input=FILE)");
    return RunBench(**client, *texts, *load, absl::GetFlag(FLAGS_json), std::cout, std::cerr);
  }
  return UsageError(absl::StrCat("unknown command '", command,
                                 "': use health, info, translate, encode or bench"));
}

}  // namespace
}  // namespace tserve::client

int main(int argc, char** argv) { return tserve::client::Run(argc, argv); }

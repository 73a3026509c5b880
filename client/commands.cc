#include "client/commands.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/bench_report.h"
#include "google/protobuf/util/json_util.h"

namespace tserve::client {

namespace {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return "{}";
  }
  return json;
}

int Fail(std::ostream& err, absl::string_view what, const absl::Status& status) {
  err << "tserve-client: " << what << " failed: " << status << "\n";
  return 1;
}

// Splits `texts` into consecutive chunks of at most `size`.
template <typename Visit>
bool ForEachChunk(const std::vector<std::string>& texts, int size, Visit visit) {
  const size_t step = static_cast<size_t>(std::max(size, 1));
  for (size_t begin = 0; begin < texts.size(); begin += step) {
    const size_t end = std::min(texts.size(), begin + step);
    if (!visit(texts.begin() + static_cast<std::ptrdiff_t>(begin),
               texts.begin() + static_cast<std::ptrdiff_t>(end))) {
      return false;
    }
  }
  return true;
}

void PrintResult(const tserve::v1::TranslationResult& result, bool scores, std::ostream& out) {
  for (const tserve::v1::Hypothesis& hypothesis : result.hypotheses()) {
    if (scores) out << hypothesis.score() << "\t";
    out << hypothesis.text() << "\n";
  }
}

int TranslateStreaming(Client& client, const tserve::v1::TranslateRequest& base,
                       const std::vector<std::string>& texts, const TranslateOutput& output,
                       std::ostream& out, std::ostream& err) {
  for (const std::string& text : texts) {
    tserve::v1::TranslateStreamRequest request;
    request.set_model(base.model());
    request.set_text(text);
    *request.mutable_options() = base.options();
    request.set_truncation(base.truncation());
    request.set_target_language(base.target_language());
    request.set_source_language(base.source_language());
    bool printed_tokens = false;
    absl::Status status =
        client.TranslateStream(request, [&](const tserve::v1::TranslateStreamResponse& response) {
          if (output.json) {
            out << ToJson(response) << "\n";
          } else if (response.has_token()) {
            out << response.token().text() << std::flush;
            printed_tokens = true;
          } else if (response.has_result()) {
            if (printed_tokens) {
              out << "\n";  // The streamed tokens already spelled the best hypothesis.
            } else {
              PrintResult(response.result(), output.scores, out);
            }
          }
        });
    if (!status.ok()) return Fail(err, "translate", status);
  }
  return 0;
}

}  // namespace

int RunHealth(Client& client, absl::string_view service, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Client::ServingStatus> status = client.Health(service);
  if (!status.ok()) return Fail(err, "health check", status.status());
  out << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(*status) << "\n";
  return *status == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

int RunInfo(Client& client, absl::string_view model, std::ostream& out, std::ostream& err) {
  tserve::v1::GetModelInfoRequest request;
  request.set_model(std::string(model));
  absl::StatusOr<tserve::v1::GetModelInfoResponse> response = client.GetModelInfo(request);
  if (!response.ok()) return Fail(err, "info", response.status());
  out << ToJson(*response) << "\n";
  return 0;
}

int RunTranslate(Client& client, const tserve::v1::TranslateRequest& base,
                 const std::vector<std::string>& texts, const TranslateOutput& output,
                 std::ostream& out, std::ostream& err) {
  if (output.stream) return TranslateStreaming(client, base, texts, output, out, err);
  int exit_status = 0;
  ForEachChunk(texts, output.batch_size, [&](auto begin, auto end) {
    tserve::v1::TranslateRequest request = base;
    request.clear_texts();
    for (auto it = begin; it != end; ++it) request.add_texts(*it);
    absl::StatusOr<tserve::v1::TranslateResponse> response = client.Translate(request);
    if (!response.ok()) {
      exit_status = Fail(err, "translate", response.status());
      return false;
    }
    if (output.json) {
      out << ToJson(*response) << "\n";
    } else {
      for (const tserve::v1::TranslationResult& result : response->results()) {
        PrintResult(result, output.scores, out);
      }
    }
    return true;
  });
  return exit_status;
}

int RunEncode(Client& client, const tserve::v1::EncodeRequest& base,
              const std::vector<std::string>& texts, int batch_size, std::ostream& out,
              std::ostream& err) {
  int exit_status = 0;
  ForEachChunk(texts, batch_size, [&](auto begin, auto end) {
    tserve::v1::EncodeRequest request = base;
    request.clear_texts();
    for (auto it = begin; it != end; ++it) request.add_texts(*it);
    absl::StatusOr<tserve::v1::EncodeResponse> response = client.Encode(request);
    if (!response.ok()) {
      exit_status = Fail(err, "encode", response.status());
      return false;
    }
    out << ToJson(*response) << "\n";
    return true;
  });
  return exit_status;
}

int RunBench(Client& client, const std::vector<std::string>& texts, const LoadOptions& options,
             bool json, std::ostream& out, std::ostream& err) {
  const LoadResult result = RunLoad(client, texts, options);
  out << (json ? BenchJson(options, result) + "\n" : BenchText(options, result)) << std::flush;
  const CallTally total = result.Total();
  if (total.unexpected_error_count() > 0) {
    err << "tserve-client: bench: " << total.unexpected_error_count()
        << " calls failed unexpectedly, e.g. " << total.first_unexpected_error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tserve::client

#include "server/reply_size.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"

namespace tserve::server {
namespace {

int64_t VarintBytes(int64_t value) {
  return static_cast<int64_t>(
      google::protobuf::io::CodedOutputStream::VarintSize64(static_cast<uint64_t>(value)));
}

// A length-delimited field (tag below 16: one byte) with `payload` bytes.
int64_t Delimited(int64_t payload) { return 1 + VarintBytes(payload) + payload; }

}  // namespace

int64_t EncodeResponseBytes(absl::string_view model, int64_t dimension,
                            const std::vector<EmbeddingShape>& embeddings) {
  // Vector: packed floats, field 1 (left out when there are none).
  const int64_t vector_payload = dimension > 0 ? Delimited(4 * dimension) : 0;
  const int64_t vector = Delimited(vector_payload);
  int64_t bytes = 0;
  if (!model.empty()) bytes += Delimited(static_cast<int64_t>(model.size()));  // model = 1
  if (dimension != 0) bytes += 1 + VarintBytes(dimension);                     // dimension = 2
  for (const EmbeddingShape& e : embeddings) {                                 // embeddings = 3
    int64_t payload = e.vectors * vector;                                      // vectors = 1
    if (e.input_tokens != 0) payload += 1 + VarintBytes(e.input_tokens);       // input_tokens = 2
    if (e.truncated) payload += 2;                                             // truncated = 3
    bytes += Delimited(payload);
  }
  return bytes;
}

absl::Status CheckReplySize(int64_t bytes, int64_t limit, absl::string_view what_to_change) {
  if (bytes <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("the reply would be ", bytes, " bytes, over this server's limit of ", limit,
                   " bytes (--max_message_bytes): send fewer texts per call, ", what_to_change,
                   "; or run the server with a larger --max_message_bytes"));
}

}  // namespace tserve::server

#ifndef TSERVE_SERVER_REPLY_SIZE_H_
#define TSERVE_SERVER_REPLY_SIZE_H_

// The size of a reply before it is computed, so that a reply gRPC could not
// send (over --max_message_bytes) is refused before any engine work.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tserve::server {

// What one text of an EncodeResponse holds.
struct EmbeddingShape {
  int64_t vectors = 1;  // 1 pooled, the text's tokens with POOLING_NONE
  int64_t input_tokens = 0;
  bool truncated = false;
};

// The serialized size of the EncodeResponse with these embeddings of
// `dimension` floats each, exactly as protobuf encodes it.
int64_t EncodeResponseBytes(absl::string_view model, int64_t dimension,
                            const std::vector<EmbeddingShape>& embeddings);

// INVALID_ARGUMENT when a reply of `bytes` is over `limit` (gRPC would fail
// to send it): the message gives the size, the limit and what to change.
// `what_to_change` completes "send fewer texts per call, ...".
absl::Status CheckReplySize(int64_t bytes, int64_t limit, absl::string_view what_to_change);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_REPLY_SIZE_H_

// The reply size worked out before any engine work is exactly what protobuf
// serializes, and the refusal says what to change.
#include "server/reply_size.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tserve/v1/tserve.pb.h"

namespace tserve::server {
namespace {

using ::testing::HasSubstr;

tserve::v1::EncodeResponse Response(const std::string& model, int dimension,
                                    const std::vector<EmbeddingShape>& shapes) {
  tserve::v1::EncodeResponse response;
  response.set_model(model);
  response.set_dimension(static_cast<uint32_t>(dimension));
  for (const EmbeddingShape& shape : shapes) {
    tserve::v1::Embedding* e = response.add_embeddings();
    for (int64_t v = 0; v < shape.vectors; ++v) {
      tserve::v1::Vector* vector = e->add_vectors();
      for (int i = 0; i < dimension; ++i) vector->add_values(0.25f * static_cast<float>(i));
    }
    e->set_input_tokens(static_cast<uint32_t>(shape.input_tokens));
    e->set_truncated(shape.truncated);
  }
  return response;
}

TEST(ReplySizeTest, EncodeResponseBytesIsTheSerializedSize) {
  const std::vector<std::vector<EmbeddingShape>> cases = {
      {},
      {{1, 5, false}},
      {{1, 0, false}, {1, 300, true}},
      {{7, 7, false}, {33, 33, false}, {512, 512, true}},
      {{100, 100, false}},
  };
  for (const std::string& model : {std::string(), std::string("demo"), std::string(200, 'm')}) {
    for (int dimension : {1, 3, 31, 32, 512, 1024}) {
      for (size_t c = 0; c < cases.size(); ++c) {
        const tserve::v1::EncodeResponse response = Response(model, dimension, cases[c]);
        EXPECT_EQ(EncodeResponseBytes(model, dimension, cases[c]),
                  static_cast<int64_t>(response.ByteSizeLong()))
            << "model of " << model.size() << " bytes, dimension " << dimension << ", case " << c;
      }
    }
  }
}

TEST(ReplySizeTest, RefusalNamesSizeLimitAndWhatToChange) {
  EXPECT_TRUE(CheckReplySize(100, 100, "x").ok());
  const absl::Status status = CheckReplySize(17000000, 16777216, "a pooled embedding");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("17000000 bytes"));
  EXPECT_THAT(status.message(), HasSubstr("16777216 bytes (--max_message_bytes)"));
  EXPECT_THAT(status.message(), HasSubstr("send fewer texts per call, a pooled embedding"));
}

}  // namespace
}  // namespace tserve::server

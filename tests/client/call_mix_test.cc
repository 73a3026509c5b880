#include "client/call_mix.h"

#include <array>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::client {
namespace {

using ::testing::HasSubstr;

TEST(CallMixTest, DefaultIsTranslateOnly) {
  const CallMix mix;
  EXPECT_EQ(mix.ToString(), "translate:1");
  EXPECT_EQ(mix.Pick(0.0), CallKind::kTranslate);
  EXPECT_EQ(mix.Pick(0.999), CallKind::kTranslate);
}

TEST(CallMixTest, ParsesWeights) {
  absl::StatusOr<CallMix> mix = CallMix::Parse(" translate:6, stream:2 ,encode:2");
  ASSERT_TRUE(mix.ok()) << mix.status();
  EXPECT_EQ(mix->weight(CallKind::kTranslate), 6);
  EXPECT_EQ(mix->weight(CallKind::kStream), 2);
  EXPECT_EQ(mix->weight(CallKind::kEncode), 2);
  EXPECT_EQ(mix->ToString(), "translate:6,stream:2,encode:2");
}

TEST(CallMixTest, AKindAloneWeighsOneAndKindsLeftOutNothing) {
  absl::StatusOr<CallMix> mix = CallMix::Parse("encode");
  ASSERT_TRUE(mix.ok()) << mix.status();
  EXPECT_EQ(mix->ToString(), "encode:1");
  EXPECT_EQ(mix->Pick(0.0), CallKind::kEncode);
  EXPECT_EQ(mix->Pick(0.5), CallKind::kEncode);
}

TEST(CallMixTest, PickSplitsTheUnitIntervalByWeight) {
  absl::StatusOr<CallMix> mix = CallMix::Parse("translate:6,stream:2,encode:2");
  ASSERT_TRUE(mix.ok()) << mix.status();
  EXPECT_EQ(mix->Pick(0.0), CallKind::kTranslate);
  EXPECT_EQ(mix->Pick(0.59), CallKind::kTranslate);
  EXPECT_EQ(mix->Pick(0.61), CallKind::kStream);
  EXPECT_EQ(mix->Pick(0.79), CallKind::kStream);
  EXPECT_EQ(mix->Pick(0.81), CallKind::kEncode);
  EXPECT_EQ(mix->Pick(1.0), CallKind::kEncode);  // rounding at the top end

  // A uniform grid of draws lands in proportion to the weights.
  std::array<int, kCallKinds> counts{};
  for (int i = 0; i < 1000; ++i) ++counts[static_cast<int>(mix->Pick((i + 0.5) / 1000))];
  EXPECT_EQ(counts[0], 600);
  EXPECT_EQ(counts[1], 200);
  EXPECT_EQ(counts[2], 200);
}

TEST(CallMixTest, ZeroWeightsAreNeverPicked) {
  absl::StatusOr<CallMix> mix = CallMix::Parse("translate:0,stream:1,encode:0");
  ASSERT_TRUE(mix.ok()) << mix.status();
  for (double u : {0.0, 0.3, 0.99, 1.0}) EXPECT_EQ(mix->Pick(u), CallKind::kStream);
}

TEST(CallMixTest, RefusesBadSpecs) {
  struct Case {
    const char* spec;
    const char* message;
  };
  for (const Case& c : {Case{"translate:6,dance:1", "unknown call 'dance'"},
                        Case{"translate:x", "whole number"},
                        Case{"translate:-1", "whole number"},
                        Case{"translate:1,translate:2", "given twice"},
                        Case{"translate:0", "makes no calls"}, Case{"", "makes no calls"}}) {
    absl::StatusOr<CallMix> mix = CallMix::Parse(c.spec);
    ASSERT_FALSE(mix.ok()) << c.spec;
    EXPECT_EQ(mix.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(mix.status().message(), HasSubstr(c.message)) << c.spec;
  }
}

}  // namespace
}  // namespace tserve::client

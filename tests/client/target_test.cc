#include "client/target.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::client {
namespace {

using ::testing::HasSubstr;

TEST(ChannelTargetTest, SingleHostNameUsesDns) {
  EXPECT_EQ(ChannelTarget("localhost:50051").value(), "dns:///localhost:50051");
  EXPECT_EQ(ChannelTarget(" tserve.default.svc.cluster.local:50051 ").value(),
            "dns:///tserve.default.svc.cluster.local:50051");
}

TEST(ChannelTargetTest, IpAddressesUseTheIpSchemes) {
  EXPECT_EQ(ChannelTarget("127.0.0.1:50051").value(), "ipv4:127.0.0.1:50051");
  EXPECT_EQ(ChannelTarget("10.0.0.1:1,10.0.0.2:2").value(), "ipv4:10.0.0.1:1,10.0.0.2:2");
  EXPECT_EQ(ChannelTarget("[::1]:50051, [fe80::1]:50052").value(),
            "ipv6:[::1]:50051,[fe80::1]:50052");
}

TEST(ChannelTargetTest, UrisPassThrough) {
  for (const char* target : {"dns:///tserve:50051", "dns://8.8.8.8/tserve:50051",
                             "ipv4:127.0.0.1:1", "unix:/run/tserve.sock", "xds:///tserve"}) {
    EXPECT_EQ(ChannelTarget(target).value(), target);
  }
}

TEST(ChannelTargetTest, RejectsWhatGrpcCannotBalance) {
  EXPECT_THAT(std::string(ChannelTarget("a:1,b:2").status().message()), HasSubstr("one DNS name"));
  EXPECT_THAT(std::string(ChannelTarget("127.0.0.1:1,[::1]:2").status().message()),
              HasSubstr("mixes IPv4 and IPv6"));
}

TEST(ChannelTargetTest, RejectsMalformedAddresses) {
  for (const char* address : {"", "localhost", "localhost:", ":50051", "host:0", "host:70000",
                              "host:port", "::1:50051", "[::1]50051"}) {
    absl::StatusOr<std::string> target = ChannelTarget(address);
    EXPECT_FALSE(target.ok()) << "'" << address << "' gave " << *target;
    if (!target.ok()) {
      EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace tserve::client

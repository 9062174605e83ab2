#include "services/federation/protocol.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace enlace::federation {
namespace {

ProtocolRange Range(uint32_t min, uint32_t max, std::vector<std::string> features = {}) {
  ProtocolRange r;
  r.min = min;
  r.max = max;
  r.features = std::move(features);
  return r;
}

TEST(ProtocolTest, HelloWithoutVersionsIsAVersionOnePeer) {
  v1::Hello hello;
  hello.set_sender("GT");
  auto r = FromHello(hello);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->min, 1u);
  EXPECT_EQ(r->max, 1u);
  EXPECT_TRUE(r->features.empty());
  // A current node agrees on version 1 with it.
  auto a = Negotiate(LocalProtocol(), *r, "GT");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->version, 1u);
}

TEST(ProtocolTest, FillHelloRoundTrips) {
  v1::Hello hello;
  FillHello(Range(1, 2, {"a", "b"}), &hello);
  EXPECT_EQ(hello.protocol_version(), 2u);
  EXPECT_EQ(hello.min_protocol_version(), 1u);
  auto r = FromHello(hello);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->min, 1u);
  EXPECT_EQ(r->max, 2u);
  EXPECT_EQ(r->features, (std::vector<std::string>{"a", "b"}));
}

TEST(ProtocolTest, HelloWithMinimumAboveMaximumIsInvalid) {
  v1::Hello hello;
  hello.set_protocol_version(2);
  hello.set_min_protocol_version(3);
  EXPECT_EQ(FromHello(hello).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProtocolTest, TheHighestCommonVersionAndTheCommonFeaturesAreChosen) {
  auto a = Negotiate(Range(1, 3, {"x", "y"}), Range(2, 5, {"z", "y", "x"}), "GT");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->version, 3u);
  EXPECT_EQ(a->features, (std::vector<std::string>{"x", "y"}));
}

TEST(ProtocolTest, PeerTooOldIsRefusedNamingBothRanges) {
  auto a = Negotiate(Range(3, 4), Range(1, 2), "GT");
  ASSERT_EQ(a.status().code(), absl::StatusCode::kFailedPrecondition) << a.status();
  EXPECT_EQ(a.status().message(),
            "GT speaks federation protocol versions 1 to 2, this node versions 3 to 4: GT must "
            "be upgraded before the link can run");
}

TEST(ProtocolTest, PeerTooNewIsRefusedNamingBothRanges) {
  auto a = Negotiate(Range(1, 2), Range(3, 3), "GT");
  ASSERT_EQ(a.status().code(), absl::StatusCode::kFailedPrecondition) << a.status();
  EXPECT_EQ(a.status().message(),
            "GT speaks federation protocol version 3, this node versions 1 to 2: this node must "
            "be upgraded before the link can run");
}

TEST(ProtocolTest, WelcomeMustChooseAnOfferedVersionAndOfferedFeatures) {
  v1::Welcome w;  // from a receiver before versioning
  auto a = CheckWelcome(Range(1, 2, {"x"}), w, "GT");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->version, 1u);
  w.set_protocol_version(2);
  w.add_features("x");
  a = CheckWelcome(Range(1, 2, {"x"}), w, "GT");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->version, 2u);
  EXPECT_EQ(a->features, std::vector<std::string>{"x"});
  w.set_protocol_version(3);
  EXPECT_EQ(CheckWelcome(Range(1, 2, {"x"}), w, "GT").status().code(),
            absl::StatusCode::kFailedPrecondition);
  w.set_protocol_version(2);
  w.add_features("never-offered");
  auto bad = CheckWelcome(Range(1, 2, {"x"}), w, "GT");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "never-offered")) << bad.status();
  // Version 1 is refused by a release that dropped it.
  EXPECT_EQ(CheckWelcome(Range(2, 2), v1::Welcome(), "GT").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// This release offers signed batches; a peer that does not name them (any older release)
// never gets them, whatever version both speak.
TEST(ProtocolTest, BatchSignaturesOnlyWhereBothSidesNameThem) {
  EXPECT_TRUE(Negotiate(LocalProtocol(), LocalProtocol(), "GT")->Has(kBatchSignatureFeature));
  EXPECT_FALSE(Negotiate(LocalProtocol(), Range(1, 2), "GT")->Has(kBatchSignatureFeature));
  EXPECT_FALSE(Negotiate(Range(1, 2), LocalProtocol(), "GT")->Has(kBatchSignatureFeature));
}

}  // namespace
}  // namespace enlace::federation

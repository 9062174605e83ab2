// Federation status as an operator reads it (`enlacectl federation status`, LAST_ERROR): when
// a peer goes away, the link's last error says what the peer (or the network) answered, with
// its status code, never a bare "Cancelled" of this node's own making.
#include <signal.h>

#include <iostream>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

class LinkStatusTest : public FederationFixture {
 protected:
  const enlace::federation::v1::PeerStatus* Peer(
      const enlace::federation::v1::FederationStatus& status, const std::string& country) {
    for (const auto& p : status.peers()) {
      if (p.country() == country) return &p;
    }
    return nullptr;
  }
};

// A code name such as "UNAVAILABLE: " or "CANCELLED: " inside the text.
bool NamesAStatusCode(const std::string& text) {
  for (const char* code :
       {"CANCELLED: ", "UNKNOWN: ", "INVALID_ARGUMENT: ", "DEADLINE_EXCEEDED: ", "NOT_FOUND: ",
        "PERMISSION_DENIED: ", "RESOURCE_EXHAUSTED: ", "FAILED_PRECONDITION: ", "ABORTED: ",
        "UNAVAILABLE: ", "DATA_LOSS: ", "UNAUTHENTICATED: ", "INTERNAL: ", "UNIMPLEMENTED: "}) {
    if (absl::StrContains(text, code)) return true;
  }
  return false;
}

TEST_F(LinkStatusTest, LastErrorSaysWhatThePeerAnsweredWhenItStops) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  ASSERT_FALSE(CreateOrg("MX", "Casa del Migrante").empty());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto status = Status("MX");
        const auto* gt = Peer(status, "GT");
        return gt != nullptr && gt->connected() && gt->last_seq_acked() >= 1;
      },
      absl::Seconds(30)));

  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  // Every LAST_ERROR the link shows while GT is down: first the end of the stream, then the
  // failed reconnections.
  std::set<std::string> seen;
  const absl::Time until = absl::Now() + absl::Seconds(4);
  while (absl::Now() < until) {
    auto status = Status("MX");
    const auto* gt = Peer(status, "GT");
    if (gt != nullptr && !gt->last_error().empty()) seen.insert(gt->last_error());
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_FALSE(seen.empty()) << "no LAST_ERROR after GT stopped";
  for (const std::string& e : seen) {
    EXPECT_TRUE(absl::StrContains(e, "GT")) << e;
    EXPECT_TRUE(NamesAStatusCode(e)) << "no status code in LAST_ERROR: " << e;
    // gRPC's text for a call this node cancelled itself: it says nothing about GT.
    EXPECT_FALSE(absl::EndsWith(e, ": Cancelled")) << "this node's own cancel: " << e;
  }
  std::cout << "LAST_ERROR values seen:\n  " << absl::StrJoin(seen, "\n  ") << "\n";
}

}  // namespace
}  // namespace enlace::testing

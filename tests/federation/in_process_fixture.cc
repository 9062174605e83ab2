#include "tests/federation/in_process_fixture.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/testing/sync_point.h"
#include "enlace/federation/v1/admin.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace enlace::testing {

namespace fv1 = ::enlace::federation::v1;

void InProcessFederationFixture::Init(const std::vector<std::string>& countries) {
  dir_ = MakeTempDir("inproc");
  auto f = TestFederation::Create(dir_, countries);
  ASSERT_TRUE(f.ok()) << f.status();
  federation_ = *std::move(f);
  ASSERT_TRUE(federation_->WriteManifest(countries, 1).ok());
  for (const auto& c : countries) {
    auto n = node::Node::Start(federation_->member(c).config);
    ASSERT_TRUE(n.ok()) << c << ": " << n.status();
    nodes_[c] = *std::move(n);
  }
}

void InProcessFederationFixture::TearDown() {
  SyncPoint::GetInstance()->Reset();
  for (auto& [c, n] : nodes_) {
    if (n != nullptr) {
      EXPECT_TRUE(n->Shutdown(absl::Seconds(5)).ok()) << c;
    }
  }
  nodes_.clear();
}

std::shared_ptr<grpc::Channel> InProcessFederationFixture::Channel(const std::string& country,
                                                                   const std::string& who) {
  auto& m = federation_->member(country);
  auto cert = m.pki->Client(
      absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
  EXPECT_TRUE(cert.ok()) << cert.status();
  return MakeChannel(nodes_.at(country)->api_port(), m.pki->ca(), &*cert);
}

fv1::PeerStatus InProcessFederationFixture::Peer(const std::string& country,
                                                 const std::string& peer) {
  auto& m = federation_->member(country);
  auto stub = fv1::FederationAdminService::NewStub(
      MakeChannel(nodes_.at(country)->api_port(), m.pki->ca(), &m.client));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  fv1::FederationStatus status;
  fv1::GetFederationStatusRequest req;
  EXPECT_TRUE(stub->GetFederationStatus(&ctx, req, &status).ok());
  for (const auto& p : status.peers()) {
    if (p.country() == peer) return p;
  }
  return fv1::PeerStatus();
}

bool InProcessFederationFixture::WaitFor(const std::function<bool()>& condition,
                                         absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return condition();
}

}  // namespace enlace::testing

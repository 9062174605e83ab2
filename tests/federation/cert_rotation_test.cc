// Two real nodes: MX's node certificate (presented on its federation port and by its senders)
// is replaced on disk while MX runs; new connections get the new certificate, and the link
// to GT, re-established after GT restarts, runs on it in both directions.

#include <signal.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/pki/pki.h"
#include "enlace/federation/v1/federation.grpc.pb.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace fv1 = ::enlace::federation::v1;

class CertRotationTest : public FederationFixture {};

// The certificate MX's federation port presents to a new connection from GT's node identity
// ("" when the handshake fails).
std::string Presented(int port, const pki::CertAndKey& mx_ca, const pki::CertAndKey& gt,
                      int channel_id) {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = mx_ca.cert_pem;
  o.pem_cert_chain = gt.cert_pem;
  o.pem_private_key = gt.key_pem;
  grpc::ChannelArguments args;
  args.SetInt("enlace.test.channel_id", channel_id);  // a new connection each time
  auto channel = grpc::CreateCustomChannel(absl::StrCat("localhost:", port),
                                           grpc::SslCredentials(o), args);
  auto stub = fv1::FederationService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto rw = stub->Exchange(&ctx);
  fv1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender("GT");
  hello.mutable_hello()->set_receiver("MX");
  fv1::ExchangeResponse welcome;
  std::string presented;
  if (rw->Write(hello) && rw->Read(&welcome) && welcome.has_welcome()) {
    auto pems = ctx.auth_context()->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pems.size() == 1) presented.assign(pems[0].data(), pems[0].size());
  }
  rw->WritesDone();
  rw->Finish().IgnoreError();
  return presented;
}

TEST_F(CertRotationTest, NodeCertificateReplacedWhileRunningCarriesTheLinkAfterAPeerRestart) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  ASSERT_FALSE(CreateOrg("MX", "Albergue antes").empty());
  ASSERT_TRUE(WaitFor([&] { return ListOrgs("GT", "MX").size() == 1; }, absl::Seconds(60)));
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);

  auto& mx = federation_->member("MX");
  const std::string cert_file = mx.config.api_tls().cert_file();
  const std::string key_file = mx.config.api_tls().key_file();
  pki::IssueOptions o;
  o.common_name = "node (rotated)";
  o.dns_names = {"localhost"};
  o.ip_addresses = {"127.0.0.1"};
  o.uris = {"spiffe://mx.enlace.example/node"};
  o.server = true;
  o.client = true;
  auto rotated = pki::IssueCert(mx.pki->ca(), o);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  // Key first, then certificate, each written whole and renamed over the old file.
  ASSERT_TRUE(pki::WriteFile(key_file + ".new", rotated->key_pem, 0600).ok());
  ASSERT_TRUE(pki::WriteFile(cert_file + ".new", rotated->cert_pem, 0600).ok());
  ASSERT_EQ(std::rename((key_file + ".new").c_str(), key_file.c_str()), 0);
  ASSERT_EQ(std::rename((cert_file + ".new").c_str(), cert_file.c_str()), 0);

  auto gt_node = federation_->member("GT").pki->Client("spiffe://gt.enlace.example/node");
  ASSERT_TRUE(gt_node.ok()) << gt_node.status();
  const int port = nodes_["MX"]->federation_port();
  int channels = 0;
  // MX re-reads the files about every second: patience, not a timing.
  EXPECT_TRUE(WaitFor(
      [&] { return Presented(port, mx.pki->ca(), *gt_node, ++channels) == rotated->cert_pem; },
      absl::Seconds(60)));

  // GT restarts: both links are dialled anew, with MX's new certificate on each.
  StartNode("GT");
  ASSERT_FALSE(CreateOrg("MX", "Albergue despues").empty());
  EXPECT_TRUE(WaitFor([&] { return ListOrgs("GT", "MX").size() == 2; }, absl::Seconds(60)))
      << ListOrgs("GT", "MX").size();
  ASSERT_FALSE(CreateOrg("GT", "Casa del migrante").empty());
  EXPECT_TRUE(WaitFor([&] { return ListOrgs("MX", "GT").size() == 1; }, absl::Seconds(60)));
  EXPECT_EQ(nodes_["MX"]->federation_port(), port);  // MX never restarted
}

}  // namespace
}  // namespace enlace::testing

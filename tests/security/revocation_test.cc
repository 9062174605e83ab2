// Revocation (issue 13, item 4): a certificate the ministry revokes (a stolen laptop, an
// officer who left) stops working on the next call, also on a connection already open; a
// forged or foreign CRL revokes nothing and un-revokes nothing.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/pki/pki.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace av1 = ::enlace::audit::v1;
namespace cv1 = ::enlace::cases::v1;

constexpr char kAna[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana";
constexpr char kBeto[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/beto";
constexpr char kAuditor[] = "spiffe://mx.enlace.example/role/auditor/user/contralor";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

class RevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("revocation");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    for (const char* uri : {kAna, kBeto, kAuditor}) {
      auto cert = pki_->Client(uri);
      ASSERT_TRUE(cert.ok()) << cert.status();
      certs_[uri] = *cert;
    }
    crl_file_ = dir_ + "/revoked.pem";
    ASSERT_TRUE(Revoke({}).ok());
    auto config = testing::TestNodeConfig(dir_, "MX");
    config.mutable_api_tls()->set_crl_file(crl_file_);
    auto node = node::Node::Start(config);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
  }
  void TearDown() override {
    if (node_ != nullptr) EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  }

  // The ministry's CA revokes these users (a new CRL replaces the file, as an operator does).
  absl::Status Revoke(const std::vector<const char*>& uris) {
    std::vector<std::string> pems;
    for (const char* uri : uris) pems.push_back(certs_.at(uri).cert_pem);
    auto crl = pki::MakeCrl(pki_->ca(), pems);
    if (!crl.ok()) return crl.status();
    return pki::WriteFile(crl_file_, *crl, 0644);
  }
  std::shared_ptr<grpc::Channel> Channel(const char* uri) {
    return testing::MakeChannel(node_->api_port(), pki_->ca(), &certs_.at(uri));
  }
  static grpc::StatusCode List(cv1::CaseService::Stub& stub) {
    cv1::ListCasesRequest req;
    req.set_parent("countries/MX");
    req.set_post("MX-LAX");
    cv1::ListCasesResponse out;
    return stub.ListCases(Ctx().get(), req, &out).error_code();
  }

  std::string dir_;
  std::string crl_file_;
  std::unique_ptr<testing::TestPki> pki_;
  std::map<std::string, pki::CertAndKey> certs_;
  std::unique_ptr<node::Node> node_;
};

// The attack: Ana's laptop is stolen with her certificate and key; the thief keeps the
// connection she had open, and opens new ones.
TEST_F(RevocationTest, ARevokedCertificateIsRefusedOnTheNextCallEvenOnAnOpenConnection) {
  auto ana = cv1::CaseService::NewStub(Channel(kAna));
  auto beto = cv1::CaseService::NewStub(Channel(kBeto));
  ASSERT_EQ(List(*ana), grpc::OK);
  ASSERT_EQ(List(*beto), grpc::OK);

  ASSERT_TRUE(Revoke({kAna}).ok());
  EXPECT_EQ(List(*ana), grpc::PERMISSION_DENIED) << "the connection already open";
  EXPECT_EQ(List(*cv1::CaseService::NewStub(Channel(kAna))), grpc::PERMISSION_DENIED)
      << "a new connection";
  EXPECT_EQ(List(*beto), grpc::OK) << "a colleague of the same post is not touched";

  // The refusal is audited under her identity, saying why.
  av1::ListAuditRecordsRequest req;
  req.set_actor(kAna);
  req.set_page_size(100);
  av1::ListAuditRecordsResponse resp;
  ASSERT_TRUE(
      av1::AuditService::NewStub(Channel(kAuditor))->ListAuditRecords(Ctx().get(), req, &resp).ok());
  bool refused = false;
  for (const auto& r : resp.records()) {
    refused = refused || (r.outcome() == av1::AUDIT_OUTCOME_DENIED &&
                          absl::StrContains(r.detail(), "revoked"));
  }
  EXPECT_TRUE(refused);
}

// The attack: whoever can drop a file beside the node tries to lift the revocation with a CRL
// of their own CA, or a damaged one; the last good list stays in force.
TEST_F(RevocationTest, AForgedOrBrokenListNeitherRevokesNorLiftsARevocation) {
  ASSERT_TRUE(Revoke({kAna}).ok());
  auto ana = cv1::CaseService::NewStub(Channel(kAna));
  auto beto = cv1::CaseService::NewStub(Channel(kBeto));
  ASSERT_EQ(List(*ana), grpc::PERMISSION_DENIED);

  auto impostor = pki::MakeCa("Enlace MX", absl::Hours(24));
  ASSERT_TRUE(impostor.ok());
  auto forged = pki::MakeCrl(*impostor, {});
  ASSERT_TRUE(forged.ok());
  ASSERT_TRUE(pki::WriteFile(crl_file_, *forged, 0644).ok());
  EXPECT_EQ(List(*ana), grpc::PERMISSION_DENIED) << "an empty list of another CA";
  EXPECT_EQ(List(*beto), grpc::OK);
  ASSERT_TRUE(pki::WriteFile(crl_file_, "-----BEGIN X509 CRL-----\nbroken\n", 0644).ok());
  EXPECT_EQ(List(*ana), grpc::PERMISSION_DENIED) << "a damaged file";
  EXPECT_EQ(List(*beto), grpc::OK);
  // The real CA's new list, without her, re-admits her (the ministry's decision).
  ASSERT_TRUE(Revoke({}).ok());
  EXPECT_EQ(List(*ana), grpc::OK);
}

TEST(RevocationStartTest, ANodeWhoseListIsMissingOrForgedDoesNotStart) {
  const std::string dir = testing::MakeTempDir("revocation_start");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok());
  auto config = testing::TestNodeConfig(dir, "MX");
  config.mutable_api_tls()->set_crl_file(dir + "/absent.pem");
  auto node = node::Node::Start(config);
  EXPECT_FALSE(node.ok());
  auto impostor = pki::MakeCa("Enlace MX", absl::Hours(24));
  ASSERT_TRUE(pki::WriteFile(dir + "/forged.pem", *pki::MakeCrl(*impostor, {}), 0644).ok());
  config.mutable_api_tls()->set_crl_file(dir + "/forged.pem");
  node = node::Node::Start(config);
  ASSERT_FALSE(node.ok());
  EXPECT_TRUE(absl::StrContains(node.status().message(), "CRL")) << node.status();
}

}  // namespace
}  // namespace enlace

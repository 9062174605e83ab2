// Transport hardening: TLS below 1.2 is refused, and certificates, keys and client CAs are
// re-read from disk while the node runs, without dropping existing connections.
#include <signal.h>

#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/pki/pki.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

grpc::StatusCode Probe(v1::CaseService::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetCaseRequest req;
  req.set_name("countries/MX/cases/00000000000000000000");
  v1::Case out;
  return stub.GetCase(&ctx, req, &out).error_code();
}

// Runs a shell command; returns its exit status and output.
std::pair<int, std::string> Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  while (p != nullptr && fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  int status = p ? pclose(p) : -1;
  return {WEXITSTATUS(status), out};
}

TEST(TlsTest, OldProtocolsRefusedAndCertificatesRotateLive) {
  const std::string dir = testing::MakeTempDir("tls");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok());
  auto config = testing::TestNodeConfig(dir, "MX");
  auto node = testing::NodeProcess::Start(config, dir);
  ASSERT_TRUE(node.ok()) << node.status();
  const std::string uri = "spiffe://mx.enlace.example/role/supervisor/user/a";
  auto client_a = pki->Client(uri);
  auto stub_a =
      v1::CaseService::NewStub(testing::MakeChannel((*node)->port(), pki->ca(), &*client_a));
  ASSERT_EQ(Probe(*stub_a), grpc::NOT_FOUND);

  // TLS 1.1 and 1.0 are refused by the server (the client is told to allow them).
  ASSERT_TRUE(pki::WriteFile(dir + "/a.pem", client_a->cert_pem, 0600).ok());
  ASSERT_TRUE(pki::WriteFile(dir + "/a.key", client_a->key_pem, 0600).ok());
  const std::string base = absl::StrCat("echo | timeout 10 openssl s_client -connect 127.0.0.1:",
                                        (*node)->port(), " -cert ", dir, "/a.pem -key ", dir,
                                        "/a.key -CAfile ", dir, "/ca.pem");
  auto tls12 = Shell(base + " -tls1_2");
  EXPECT_NE(tls12.second.find("Protocol  : TLSv1.2"), std::string::npos) << tls12.second;
  for (const char* old : {"-tls1_1", "-tls1"}) {
    auto r = Shell(absl::StrCat(base, " ", old, " -cipher DEFAULT@SECLEVEL=0"));
    EXPECT_NE(r.first, 0) << old << ": " << r.second;
    EXPECT_NE(r.second.find("Cipher is (NONE)"), std::string::npos)
        << old << " was negotiated: " << r.second;
  }

  // A client of a new CA is refused, until the node's client-CA file also holds that CA.
  auto ca2 = pki::MakeCa("Enlace MX CA 2027", absl::Hours(24));
  ASSERT_TRUE(ca2.ok());
  pki::IssueOptions o;
  o.common_name = "b";
  o.uris = {uri};
  o.client = true;
  auto client_b = pki::IssueCert(*ca2, o);
  ASSERT_TRUE(client_b.ok());
  auto stub_b =
      v1::CaseService::NewStub(testing::MakeChannel((*node)->port(), pki->ca(), &*client_b));
  EXPECT_EQ(Probe(*stub_b), grpc::UNAVAILABLE);
  ASSERT_TRUE(
      pki::WriteFile(dir + "/ca.pem", pki->ca().cert_pem + ca2->cert_pem, 0600).ok());
  // And the node's own certificate is replaced by a new one.
  o.common_name = "node-2027";
  o.uris = {"spiffe://mx.enlace.example/node"};
  o.dns_names = {"localhost"};
  o.ip_addresses = {"127.0.0.1"};
  o.server = true;
  auto node2 = pki::IssueCert(pki->ca(), o);
  ASSERT_TRUE(node2.ok());
  ASSERT_TRUE(pki::WriteFile(dir + "/node.key", node2->key_pem, 0600).ok());
  ASSERT_TRUE(pki::WriteFile(dir + "/node.pem", node2->cert_pem, 0600).ok());
  grpc::StatusCode b = grpc::UNAVAILABLE;
  for (int i = 0; i < 50 && b != grpc::NOT_FOUND; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto fresh = v1::CaseService::NewStub(
        testing::MakeChannel((*node)->port(), pki->ca(), &*client_b));
    b = Probe(*fresh);
  }
  EXPECT_EQ(b, grpc::NOT_FOUND) << "new client CA not picked up";
  auto served = Shell(absl::StrCat(base, " -tls1_2 | openssl x509 -noout -subject"));
  EXPECT_NE(served.second.find("node-2027"), std::string::npos) << served.second;
  // The connection opened before the rotation still works.
  EXPECT_EQ(Probe(*stub_a), grpc::NOT_FOUND);
  EXPECT_EQ((*node)->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace enlace

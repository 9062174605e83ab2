#include "common/pki/pki.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/channel.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/slice.h"
#include "gtest/gtest.h"
#include "openssl/bio.h"
#include "openssl/bn.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"

namespace enlace::pki {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kAnaUri[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana";
constexpr char kMethod[] = "/enlace.test.v1.Echo/Call";

// ---------------------------------------------------------------------------------------------
// Certificate contents, checked with OpenSSL directly.

struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

X509Ptr ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

// X509_V_OK when `leaf` chains to `ca` (at the current time), else the verify error.
int VerifyAgainst(const std::string& ca_pem, const std::string& leaf_pem) {
  X509Ptr ca = ParseCert(ca_pem);
  X509Ptr leaf = ParseCert(leaf_pem);
  if (ca == nullptr || leaf == nullptr) return -1;
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  const int ok = X509_verify_cert(ctx);
  const int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  ERR_clear_error();
  return err;
}

// The SANs of `cert` as "DNS:x", "IP:x", "URI:x", in certificate order.
std::vector<std::string> Sans(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    int type;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(name, &type));
    const std::string bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                            ASN1_STRING_length(value));
    switch (type) {
      case GEN_DNS:
        out.push_back("DNS:" + bytes);
        break;
      case GEN_URI:
        out.push_back("URI:" + bytes);
        break;
      case GEN_IPADD: {
        std::vector<std::string> parts;
        for (unsigned char c : bytes) parts.push_back(std::to_string(c));
        out.push_back("IP:" + absl::StrJoin(parts, "."));
        break;
      }
      default:
        out.push_back("other");
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

TEST(MakeCaTest, IsSelfSignedCaWithKeyIdentifier) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Enlace dev CA MX", absl::Hours(24));
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_THAT(ca->cert_pem, HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(ca->key_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  X509Ptr cert = ParseCert(ca->cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  const int bc = X509_get_ext_by_NID(cert.get(), NID_basic_constraints, -1);
  ASSERT_GE(bc, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(cert.get(), bc)), 1);
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  const uint32_t usage = X509_get_key_usage(cert.get());
  EXPECT_EQ(usage, static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(VerifyAgainst(ca->cert_pem, ca->cert_pem), X509_V_OK);
}

TEST(MakeCaTest, RejectsBadInput) {
  EXPECT_EQ(MakeCa("", absl::Hours(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCa(std::string(65, 'x'), absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCa("ca", absl::ZeroDuration()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCa("ca", absl::InfiniteDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

class IssueCertTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<CertAndKey> ca = MakeCa("Enlace test CA", absl::Hours(24));
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = new CertAndKey(*std::move(ca));
  }
  static void TearDownTestSuite() { delete ca_; }

  static const CertAndKey& ca() { return *ca_; }

  static absl::StatusCode IssueCode(const IssueOptions& options) {
    return IssueCert(ca(), options).status().code();
  }

 private:
  static CertAndKey* ca_;
};

CertAndKey* IssueCertTest::ca_ = nullptr;

IssueOptions ServerOptions() {
  IssueOptions options;
  options.common_name = "node";
  options.dns_names = {"localhost"};
  options.ip_addresses = {"127.0.0.1"};
  options.uris = {"spiffe://mx.enlace.example/node"};
  options.server = true;
  return options;
}

TEST_F(IssueCertTest, LeafHasSansUsageAndKeyIds) {
  IssueOptions options = ServerOptions();
  options.client = true;
  absl::StatusOr<CertAndKey> leaf = IssueCert(ca(), options);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(VerifyAgainst(ca().cert_pem, leaf->cert_pem), X509_V_OK);

  X509Ptr cert = ParseCert(leaf->cert_pem);
  X509Ptr ca_cert = ParseCert(ca().cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_THAT(Sans(cert.get()),
              ElementsAre("DNS:localhost", "IP:127.0.0.1", "URI:spiffe://mx.enlace.example/node"));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()),
            static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  // authorityKeyIdentifier names the CA's subjectKeyIdentifier.
  const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(cert.get());
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(ca_cert.get());
  ASSERT_NE(akid, nullptr);
  ASSERT_NE(skid, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(akid, skid), 0);
  // Random 128-bit serials: large, and different each time.
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  EXPECT_GT(BN_num_bits(serial), 96);
  EXPECT_LE(BN_num_bits(serial), 128);
  absl::StatusOr<CertAndKey> other = IssueCert(ca(), options);
  ASSERT_TRUE(other.ok());
  X509Ptr other_cert = ParseCert(other->cert_pem);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.get()),
                             X509_get0_serialNumber(other_cert.get())),
            0);
  BN_free(serial);
}

TEST_F(IssueCertTest, ClientOnlyAndIpv6) {
  IssueOptions options;
  options.common_name = "ana";
  options.uris = {kAnaUri};
  options.ip_addresses = {"::1"};
  options.client = true;
  absl::StatusOr<CertAndKey> leaf = IssueCert(ca(), options);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  X509Ptr cert = ParseCert(leaf->cert_pem);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(Sans(cert.get()).size(), 2u);
}

TEST_F(IssueCertTest, ExpiredCertDoesNotVerify) {
  IssueOptions options = ServerOptions();
  options.not_before = absl::Now() - absl::Hours(2);
  options.validity = absl::Hours(1);
  absl::StatusOr<CertAndKey> leaf = IssueCert(ca(), options);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(VerifyAgainst(ca().cert_pem, leaf->cert_pem), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_F(IssueCertTest, RejectsBadOptions) {
  const absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  IssueOptions options = ServerOptions();
  options.common_name = "";
  EXPECT_EQ(IssueCode(options), kInvalid);

  for (const char* ip : {"300.1.1.1", "1.2.3", "127.0.0.1x", "localhost", "", "::g"}) {
    options = ServerOptions();
    options.ip_addresses = {ip};
    absl::Status status = IssueCert(ca(), options).status();
    EXPECT_EQ(status.code(), kInvalid) << ip;
    EXPECT_THAT(status.message(), HasSubstr("IP address")) << ip;
  }
  for (const char* dns : {"", "-bad.example", "a..b", "sp ace", "a,b", "*", "x.*.example"}) {
    options = ServerOptions();
    options.dns_names = {dns};
    EXPECT_EQ(IssueCode(options), kInvalid) << dns;
  }
  for (const char* uri : {"", "no-scheme", ":x", "spiffe:", "spiffe://a b", "1x://a"}) {
    options = ServerOptions();
    options.uris = {uri};
    EXPECT_EQ(IssueCode(options), kInvalid) << uri;
  }
  options = ServerOptions();
  options.server = false;
  EXPECT_EQ(IssueCode(options), kInvalid);
  options = ServerOptions();
  options.validity = -absl::Hours(1);
  EXPECT_EQ(IssueCode(options), kInvalid);
}

TEST_F(IssueCertTest, RejectsBadCa) {
  const absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  CertAndKey garbage{"not a certificate", ca().key_pem};
  EXPECT_EQ(IssueCert(garbage, ServerOptions()).status().code(), kInvalid);
  CertAndKey no_key{ca().cert_pem,
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"};
  EXPECT_EQ(IssueCert(no_key, ServerOptions()).status().code(), kInvalid);
  CertAndKey empty;
  EXPECT_EQ(IssueCert(empty, ServerOptions()).status().code(), kInvalid);

  absl::StatusOr<CertAndKey> other = MakeCa("other", absl::Hours(1));
  ASSERT_TRUE(other.ok());
  CertAndKey mismatched{ca().cert_pem, other->key_pem};
  absl::Status status = IssueCert(mismatched, ServerOptions()).status();
  EXPECT_EQ(status.code(), kInvalid);
  EXPECT_THAT(status.message(), HasSubstr("does not match"));

  absl::StatusOr<CertAndKey> leaf = IssueCert(ca(), ServerOptions());
  ASSERT_TRUE(leaf.ok());
  status = IssueCert(*leaf, ServerOptions()).status();
  EXPECT_EQ(status.code(), kInvalid);
  EXPECT_THAT(status.message(), HasSubstr("not a CA"));
  // Failures leave nothing on OpenSSL's error queue to trip later TLS calls on this thread.
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// ---------------------------------------------------------------------------------------------
// WriteFile.

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WriteFileTest, WritesReplacesAndSetsMode) {
  const std::string path = TempDir() + "/key.pem";
  ASSERT_TRUE(WriteFile(path, "first", 0600).ok());
  EXPECT_EQ(ReadAll(path), "first");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_TRUE(WriteFile(path, "second", 0644).ok());
  EXPECT_EQ(ReadAll(path), "second");
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(WriteFileTest, MissingDirectoryIsAnError) {
  absl::Status status = WriteFile(TempDir() + "/no/such/dir/x.pem", "x", 0600);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(WriteFile("", "x", 0600).code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// mTLS over loopback with gRPC.

// What the server saw of its last caller's identity.
struct SeenPeer {
  std::vector<std::string> peer_uri;
  std::vector<std::string> san;
  std::vector<std::string> spiffe_id;
};

std::vector<std::string> Values(const grpc::AuthContext& auth, const char* name) {
  std::vector<std::string> out;
  for (const grpc::string_ref& v : auth.FindPropertyValues(name)) {
    out.emplace_back(v.data(), v.size());
  }
  return out;
}

// Answers every method with the caller's URI SANs, and remembers what it saw.
class EchoIdentityService : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    SeenPeer seen;
    std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
    if (auth != nullptr) {
      seen.peer_uri = Values(*auth, GRPC_PEER_URI_PROPERTY_NAME);
      seen.san = Values(*auth, GRPC_X509_SAN_PROPERTY_NAME);
      seen.spiffe_id = Values(*auth, GRPC_PEER_SPIFFE_ID_PROPERTY_NAME);
    }
    const std::string reply = absl::StrJoin(seen.peer_uri, ",");
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      last_ = std::move(seen);
    }
    return new Reactor(reply);
  }

  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  SeenPeer last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(const std::string& reply) {
      grpc::Slice slice(reply);
      response_ = grpc::ByteBuffer(&slice, 1);
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
        return;
      }
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  SeenPeer last_ ABSL_GUARDED_BY(mu_);
};

struct CallResult {
  grpc::Status status;
  std::string response;
  // The server's SANs as the client's AuthContext reports them.
  std::vector<std::string> server_san;
};

class MtlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<CertAndKey> ca1 = MakeCa("Enlace test CA 1", absl::Hours(1));
    absl::StatusOr<CertAndKey> ca2 = MakeCa("Enlace test CA 2", absl::Hours(1));
    ASSERT_TRUE(ca1.ok()) << ca1.status();
    ASSERT_TRUE(ca2.ok()) << ca2.status();
    ca1_ = *std::move(ca1);
    ca2_ = *std::move(ca2);
    absl::StatusOr<CertAndKey> server_cert = IssueCert(ca1_, ServerOptions());
    ASSERT_TRUE(server_cert.ok()) << server_cert.status();

    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = ca1_.cert_pem;
    ssl.pem_key_cert_pairs.push_back({server_cert->key_pem, server_cert->cert_pem});
    grpc::ServerBuilder builder;
    // Port 0 and no SO_REUSEPORT: each test gets its own port, never one shared with a
    // concurrently running test.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(ssl), &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  IssueOptions ClientOptions(const std::string& uri) {
    IssueOptions options;
    options.common_name = "ana";
    options.uris = {uri};
    options.client = true;
    return options;
  }

  // One unary call with a deadline. `client` may be null (no client certificate). `target`
  // is "localhost" (checked against the DNS SAN) or "127.0.0.1" (checked against the IP SAN).
  CallResult Call(const CertAndKey* client, const std::string& trusted_ca_pem,
                  const std::string& target = "localhost") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = trusted_ca_pem;
    if (client != nullptr) {
      ssl.pem_private_key = client->key_pem;
      ssl.pem_cert_chain = client->cert_pem;
    }
    grpc::ChannelArguments args;
    // A fresh connection per call, so one test's handshake never serves another's.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
        absl::StrCat(target, ":", port_), grpc::SslCredentials(ssl), args);
    grpc::GenericStub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice slice(std::string("ping"));
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    CallResult result;
    absl::Notification done;
    stub.UnaryCall(&context, kMethod, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status status) {
                     result.status = std::move(status);
                     done.Notify();
                   });
    done.WaitForNotification();
    if (std::shared_ptr<const grpc::AuthContext> auth = context.auth_context(); auth != nullptr) {
      result.server_san = Values(*auth, GRPC_X509_SAN_PROPERTY_NAME);
    }
    if (result.status.ok()) {
      std::vector<grpc::Slice> slices;
      if (response.Dump(&slices).ok()) {
        for (const grpc::Slice& s : slices) {
          result.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
    }
    return result;
  }

  CertAndKey ca1_;
  CertAndKey ca2_;
  EchoIdentityService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(MtlsTest, ClientFromSameCaIsAcceptedAndServerSeesUri) {
  absl::StatusOr<CertAndKey> ana = IssueCert(ca1_, ClientOptions(kAnaUri));
  ASSERT_TRUE(ana.ok()) << ana.status();
  CallResult result = Call(&*ana, ca1_.cert_pem);
  ASSERT_TRUE(result.status.ok()) << result.status.error_code() << " "
                                  << result.status.error_message();
  EXPECT_EQ(result.response, kAnaUri);
  EXPECT_EQ(service_.calls(), 1);
  SeenPeer seen = service_.last();
  // The property documented in pki.h: every URI SAN lands in "peer_uri".
  EXPECT_THAT(seen.peer_uri, ElementsAre(kAnaUri));
  EXPECT_THAT(seen.san, ElementsAre(kAnaUri));
  EXPECT_THAT(seen.spiffe_id, ElementsAre(kAnaUri));
  // "x509_subject_alternative_name" mixes every SAN type, hence "peer_uri" for identities.
  EXPECT_THAT(result.server_san,
              UnorderedElementsAre("localhost", "127.0.0.1", "spiffe://mx.enlace.example/node"));
}

TEST_F(MtlsTest, ServerIpSanMatchesIpTarget) {
  absl::StatusOr<CertAndKey> ana = IssueCert(ca1_, ClientOptions(kAnaUri));
  ASSERT_TRUE(ana.ok()) << ana.status();
  CallResult result = Call(&*ana, ca1_.cert_pem, "127.0.0.1");
  EXPECT_TRUE(result.status.ok()) << result.status.error_code() << " "
                                  << result.status.error_message();
}

TEST_F(MtlsTest, TwoUriSansAreAllInPeerUriButGiveNoSpiffeId) {
  IssueOptions options = ClientOptions(kAnaUri);
  options.uris.push_back("spiffe://mx.enlace.example/role/supervisor/user/ana");
  absl::StatusOr<CertAndKey> ana = IssueCert(ca1_, options);
  ASSERT_TRUE(ana.ok()) << ana.status();
  CallResult result = Call(&*ana, ca1_.cert_pem);
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  SeenPeer seen = service_.last();
  EXPECT_THAT(seen.peer_uri, ElementsAre(options.uris[0], options.uris[1]));
  EXPECT_TRUE(seen.spiffe_id.empty());
}

TEST_F(MtlsTest, ClientFromOtherCaIsRefused) {
  absl::StatusOr<CertAndKey> mallory = IssueCert(ca2_, ClientOptions(kAnaUri));
  ASSERT_TRUE(mallory.ok()) << mallory.status();
  CallResult result = Call(&*mallory, ca1_.cert_pem);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << result.status.error_message();
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(MtlsTest, ClientWithoutCertIsRefused) {
  CallResult result = Call(nullptr, ca1_.cert_pem);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << result.status.error_message();
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(MtlsTest, ExpiredClientCertIsRefused) {
  IssueOptions options = ClientOptions(kAnaUri);
  options.not_before = absl::Now() - absl::Hours(2);
  options.validity = absl::Hours(1);
  absl::StatusOr<CertAndKey> expired = IssueCert(ca1_, options);
  ASSERT_TRUE(expired.ok()) << expired.status();
  CallResult result = Call(&*expired, ca1_.cert_pem);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << result.status.error_message();
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(MtlsTest, ClientRefusesServerFromUntrustedCa) {
  absl::StatusOr<CertAndKey> ana = IssueCert(ca2_, ClientOptions(kAnaUri));
  ASSERT_TRUE(ana.ok()) << ana.status();
  // The client trusts only CA 2; the server's certificate is from CA 1.
  CallResult result = Call(&*ana, ca2_.cert_pem);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << result.status.error_message();
  EXPECT_EQ(service_.calls(), 0);
}

}  // namespace
}  // namespace enlace::pki

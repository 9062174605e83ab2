// ExchangeService alone: a real gRPC server over mTLS on loopback with certificates from the
// development PKI, a real Inbox on RocksDB in a temp dir, and a manifest snapshot the test
// swaps at will; the peers are plain gRPC clients written here.

#include "services/federation/exchange_service.h"

#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/pki/pki.h"
#include "services/federation/batch.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace enlace::federation {
namespace {

constexpr char kSelf[] = "MX";

std::string TempDir() {
  std::string tmpl =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/exchange_XXXXXX";
  return mkdtemp(tmpl.data());
}

std::string Identity(const std::string& country) {
  return absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/node");
}

struct Country {
  pki::CertAndKey ca;
  crypto::Ed25519KeyPair signing;
  std::unique_ptr<crypto::Signer> signer;
};

class PutHandler : public EnvelopeHandler {
 public:
  explicit PutHandler(const storage::ColumnFamily* cf) : cf_(cf) {}
  absl::Status Apply(const v1::EnvelopeBody& body, txn::Transaction& txn) override {
    txn.batch.Put(cf_, body.payload(), body.sender());
    return absl::OkStatus();
  }

 private:
  const storage::ColumnFamily* cf_;
};

// One client stream of Exchange.
struct Stream {
  std::unique_ptr<v1::FederationService::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ExchangeRequest, v1::ExchangeResponse>> rw;
};

class ExchangeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* c : {"MX", "GT", "HN", "CR"}) {
      Country& country = countries_[c];
      auto ca = pki::MakeCa(absl::StrCat("Enlace ", c, " test CA"), absl::Hours(24));
      ASSERT_TRUE(ca.ok()) << ca.status();
      country.ca = *ca;
      auto keys = crypto::GenerateEd25519();
      ASSERT_TRUE(keys.ok());
      country.signing = *keys;
      auto signer = crypto::Signer::FromPem(keys->private_pem);
      ASSERT_TRUE(signer.ok());
      country.signer = *std::move(signer);
    }
    SetManifest(1, {"MX", "GT", "HN"});

    storage::StoreOptions o;
    o.path = TempDir();
    o.column_families = {"things"};
    txn::Committer::AddColumnFamilies(o);
    Inbox::AddColumnFamilies(o);
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), kSelf);
    ASSERT_TRUE(committer.ok());
    committer_ = *std::move(committer);
    inbox_ = std::make_unique<Inbox>(store_.get(), committer_.get(), kSelf);
    handler_ = std::make_unique<PutHandler>(store_->cf("things"));
    inbox_->RegisterHandler("test.thing", handler_.get());
    pool_ = std::make_unique<ThreadPool>(2);
    service_ = std::make_unique<ExchangeService>(kSelf, inbox_.get(), pool_.get(), [this] {
      absl::MutexLock l(&manifest_mu_);
      return manifest_;
    });
    // As the node's CRL file would answer: the certificates a test revokes.
    service_->SetRevocationCheck([this](absl::string_view pem) {
      absl::MutexLock l(&manifest_mu_);
      return revoked_.count(std::string(pem)) > 0;
    });

    pki::IssueOptions server;
    server.common_name = "mx node";
    server.dns_names = {"localhost"};
    server.uris = {Identity("MX")};
    server.server = true;
    server.client = true;
    auto cert = pki::IssueCert(countries_["MX"].ca, server);
    ASSERT_TRUE(cert.ok()) << cert.status();
    grpc::SslServerCredentialsOptions tls(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    {
      absl::MutexLock l(&manifest_mu_);
      tls.pem_root_certs = manifest_->AllCaPem();
    }
    tls.pem_key_cert_pairs.push_back({cert->key_pem, cert->cert_pem});
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
      server_->Wait();
    }
  }

  // Members `countries`, GT's signing key replaced by `gt_key` when given.
  void SetManifest(int64_t version, const std::vector<std::string>& countries,
                   const std::string& gt_key = "",
                   const std::vector<std::string>& gt_additional_keys = {}) {
    v1::FederationManifest m;
    m.set_version(version);
    for (const auto& c : countries) {
      v1::Member* member = m.add_members();
      member->set_country(c);
      member->set_federation_endpoint(absl::StrCat(absl::AsciiStrToLower(c), ".example:7443"));
      member->set_node_identity(Identity(c));
      member->set_signing_public_key_pem(
          c == "GT" && !gt_key.empty() ? gt_key : countries_[c].signing.public_pem);
      member->set_tls_ca_pem(countries_[c].ca.cert_pem);
      if (c == "GT") {
        for (const auto& k : gt_additional_keys) member->add_additional_signing_public_key_pems(k);
      }
    }
    auto snap = ManifestSnapshot::Build(m);
    ASSERT_TRUE(snap.ok()) << snap.status();
    absl::MutexLock l(&manifest_mu_);
    manifest_ = *snap;
  }

  // A client certificate naming `identity`, issued by `issuer`'s CA.
  pki::CertAndKey ClientCert(const std::string& issuer, const std::string& identity) {
    pki::IssueOptions o;
    o.common_name = "peer";
    o.uris = {identity};
    o.client = true;
    auto cert = pki::IssueCert(countries_[issuer].ca, o);
    EXPECT_TRUE(cert.ok()) << cert.status();
    return *cert;
  }

  std::unique_ptr<Stream> Open(const pki::CertAndKey& cert) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = countries_["MX"].ca.cert_pem;
    o.pem_cert_chain = cert.cert_pem;
    o.pem_private_key = cert.key_pem;
    grpc::ChannelArguments args;
    args.SetInt("enlace.test.channel_id", ++channels_);  // a connection per stream
    auto channel =
        grpc::CreateCustomChannel(absl::StrCat("localhost:", port_), grpc::SslCredentials(o), args);
    auto s = std::make_unique<Stream>();
    s->stub = v1::FederationService::NewStub(channel);
    s->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    s->rw = s->stub->Exchange(&s->ctx);
    return s;
  }

  // Opens a stream as `sender` and completes the handshake; returns the Welcome's watermark.
  std::unique_ptr<Stream> Connect(const std::string& sender, uint64_t* applied = nullptr) {
    auto s = Open(ClientCert(sender, Identity(sender)));
    v1::ExchangeRequest hello;
    hello.mutable_hello()->set_sender(sender);
    hello.mutable_hello()->set_receiver(kSelf);
    EXPECT_TRUE(s->rw->Write(hello));
    v1::ExchangeResponse welcome;
    EXPECT_TRUE(s->rw->Read(&welcome));
    EXPECT_TRUE(welcome.has_welcome());
    if (applied != nullptr) *applied = welcome.welcome().applied_seq();
    return s;
  }

  std::unique_ptr<Stream> ConnectOffering(const std::string& sender, const ProtocolRange& range,
                                          std::vector<std::string>* features);
  // Envelopes from..to of `sender`'s link (as Envelope makes them) in one signed batch.
  v1::ExchangeRequest Batch(const std::string& sender, uint64_t from, uint64_t to,
                            const std::string& signed_by);

  v1::ExchangeRequest Envelope(const std::string& sender, uint64_t seq,
                               const std::string& signed_by) {
    return SignedEnvelope(sender, seq, *countries_[signed_by].signer);
  }

  v1::ExchangeRequest SignedEnvelope(const std::string& sender, uint64_t seq,
                                     const crypto::Signer& signer) {
    v1::EnvelopeBody body;
    body.set_sender(sender);
    body.set_receiver(kSelf);
    body.set_seq(seq);
    body.set_kind("test.thing");
    body.set_payload(absl::StrCat(sender, "-", seq));
    v1::ExchangeRequest req;
    req.mutable_envelope()->set_body(body.SerializeAsString());
    req.mutable_envelope()->set_seq(seq);
    req.mutable_envelope()->set_signature(*signer.Sign(req.envelope().body()));
    return req;
  }

  // Reads acknowledgements until one reaches `seq`; false if the stream ends first.
  static bool ReadAcksUpTo(Stream& s, uint64_t seq) {
    v1::ExchangeResponse r;
    while (s.rw->Read(&r)) {
      if (r.has_ack() && r.ack().applied_seq() >= seq) return true;
    }
    return false;
  }

  // How a stream that the server ends ended.
  static grpc::Status Ended(Stream& s) {
    v1::ExchangeResponse r;
    while (s.rw->Read(&r)) {
    }
    return s.rw->Finish();
  }

  std::map<std::string, Country> countries_;
  absl::Mutex manifest_mu_;
  std::set<std::string> revoked_ ABSL_GUARDED_BY(manifest_mu_);
  std::shared_ptr<const ManifestSnapshot> manifest_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<PutHandler> handler_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<ExchangeService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  int channels_ = 0;
};

TEST_F(ExchangeServiceTest, AppliesAPeersEnvelopesAndAcknowledgesAfterTheCommit) {
  uint64_t applied = 99;
  auto s = Connect("GT", &applied);
  EXPECT_EQ(applied, 0u);
  for (uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(s->rw->Write(Envelope("GT", seq, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 3));
  // Acknowledged means committed.
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 3u);
  EXPECT_TRUE(store_->Get(store_->cf("things"), "GT-3")->has_value());
  s->rw->WritesDone();
  EXPECT_TRUE(Ended(*s).ok());
  // The next stream resumes from there.
  auto again = Connect("GT", &applied);
  EXPECT_EQ(applied, 3u);
}

TEST_F(ExchangeServiceTest, CertificateFromAForeignCaIsRefusedAtTheHandshake) {
  auto s = Open(ClientCert("CR", Identity("GT")));
  v1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender("GT");
  hello.mutable_hello()->set_receiver(kSelf);
  s->rw->Write(hello);
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
}

// Every member's CA is a root of the listener; GT's CA must still not vouch for HN's node.
TEST_F(ExchangeServiceTest, MemberCaVouchingForAnotherMembersIdentityIsDenied) {
  auto s = Open(ClientCert("GT", Identity("HN")));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "was not issued by HN's CA"))
      << st.error_message();
}

// The attack: a member's node key is stolen; the member's CA revokes the certificate and
// the thief, holding a certificate still in date, opens a stream.
TEST_F(ExchangeServiceTest, ARevokedNodeCertificateIsDenied) {
  const pki::CertAndKey stolen = ClientCert("GT", Identity("GT"));
  {
    absl::MutexLock l(&manifest_mu_);
    revoked_.insert(stolen.cert_pem);
  }
  auto s = Open(stolen);
  v1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender("GT");
  hello.mutable_hello()->set_receiver(kSelf);
  s->rw->Write(hello);
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "revoked")) << st.error_message();
  // GT's node with its new certificate carries on.
  uint64_t applied = 99;
  auto fresh = Connect("GT", &applied);
  ASSERT_TRUE(fresh->rw->Write(Envelope("GT", 1, "GT")));
  EXPECT_TRUE(ReadAcksUpTo(*fresh, 1));
}

// The key is stolen while the member's stream is open: the sender keeps the stream as long as
// it likes, so the revocation must stop it there, not at the next stream.
TEST_F(ExchangeServiceTest, CertificateRevokedOnAnOpenStreamEndsItBeforeTheNextApply) {
  const pki::CertAndKey cert = ClientCert("GT", Identity("GT"));
  auto s = Open(cert);
  v1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender("GT");
  hello.mutable_hello()->set_receiver(kSelf);
  ASSERT_TRUE(s->rw->Write(hello));
  v1::ExchangeResponse welcome;
  ASSERT_TRUE(s->rw->Read(&welcome));
  ASSERT_TRUE(welcome.has_welcome());
  for (uint64_t seq = 1; seq <= 2; ++seq) ASSERT_TRUE(s->rw->Write(Envelope("GT", seq, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 2));
  {
    absl::MutexLock l(&manifest_mu_);
    revoked_.insert(cert.cert_pem);
  }
  for (uint64_t seq = 3; seq <= 4; ++seq) s->rw->Write(Envelope("GT", seq, "GT"));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "revoked")) << st.error_message();
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 2u);
  EXPECT_FALSE(store_->Get(store_->cf("things"), "GT-3")->has_value());
}

TEST_F(ExchangeServiceTest, IdentityThatIsNotAMemberIsDenied) {
  auto s = Open(ClientCert("GT", "spiffe://gt.enlace.example/role/operator"));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

TEST_F(ExchangeServiceTest, ThisNodesOwnIdentityIsDenied) {
  auto s = Open(ClientCert("MX", Identity("MX")));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

// GT's node speaking for HN's link: it would move HN's watermark.
TEST_F(ExchangeServiceTest, HelloNamingAnotherSenderOrReceiverIsInvalidArgument) {
  for (const auto& [sender, receiver] :
       std::vector<std::pair<std::string, std::string>>{{"HN", kSelf}, {"GT", "HN"}}) {
    auto s = Open(ClientCert("GT", Identity("GT")));
    v1::ExchangeRequest hello;
    hello.mutable_hello()->set_sender(sender);
    hello.mutable_hello()->set_receiver(receiver);
    s->rw->Write(hello);
    const grpc::Status st = Ended(*s);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << sender << "->" << receiver << ": " << st.error_message();
  }
  EXPECT_EQ(*inbox_->AppliedSeq("HN"), 0u);
}

TEST_F(ExchangeServiceTest, ForgedEnvelopeEndsTheStreamUnauthenticatedAndMovesNothing) {
  auto s = Connect("GT");
  ASSERT_TRUE(s->rw->Write(Envelope("GT", 1, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 1));
  s->rw->Write(Envelope("GT", 2, "HN"));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 1u);
}

// The manifest rotated GT's signing key while a stream authenticated under the old one was
// open: nothing more is accepted on it.
TEST_F(ExchangeServiceTest, StreamOpenedUnderRotatedKeysAcceptsNothingMore) {
  auto s = Connect("GT");
  ASSERT_TRUE(s->rw->Write(Envelope("GT", 1, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 1));
  SetManifest(2, {"MX", "GT", "HN"}, countries_["HN"].signing.public_pem);
  s->rw->Write(Envelope("GT", 2, "GT"));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "manifest changed")) << st.error_message();
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 1u);
}

TEST_F(ExchangeServiceTest, RemovedMemberCanNoLongerConnect) {
  SetManifest(2, {"MX", "HN"});
  auto s = Open(ClientCert("GT", Identity("GT")));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

// One live stream per peer: a newer one supersedes the older, which ends at its next event.
TEST_F(ExchangeServiceTest, NewerStreamFromThePeerSupersedesTheOlder) {
  auto old_stream = Connect("GT");
  auto new_stream = Connect("GT");
  old_stream->rw->Write(Envelope("GT", 1, "GT"));
  const grpc::Status st = Ended(*old_stream);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED) << st.error_message();
  ASSERT_TRUE(new_stream->rw->Write(Envelope("GT", 1, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*new_stream, 1));
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 1u);
}

// --- Signing-key rotation ------------------------------------------------------------------

// GT rotates its envelope-signing key without stopping (docs/operations.md): the new key is
// published beside the old, GT switches to it, then the old one is retired. Envelopes signed
// with the old key before the switch apply; after the retirement one signed with the old key
// is refused and moves nothing (the link-integrity rule: never applied, never a watermark).
TEST_F(ExchangeServiceTest, SigningKeyRotatesWithTheNewKeyPublishedBesideTheOld) {
  auto next_keys = crypto::GenerateEd25519();
  ASSERT_TRUE(next_keys.ok());
  auto next = crypto::Signer::FromPem(next_keys->private_pem);
  ASSERT_TRUE(next.ok());
  const crypto::Signer& old_key = *countries_["GT"].signer;
  const std::string old_pem = countries_["GT"].signing.public_pem;

  auto s = Connect("GT");
  ASSERT_TRUE(s->rw->Write(SignedEnvelope("GT", 1, old_key)));
  ASSERT_TRUE(ReadAcksUpTo(*s, 1));
  // Before the new key is published, it signs nothing that applies.
  s->rw->Write(SignedEnvelope("GT", 2, **next));
  EXPECT_EQ(Ended(*s).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 1u);

  // 1. Published beside the old one.
  SetManifest(2, {"MX", "GT", "HN"}, old_pem, {next_keys->public_pem});
  s = Connect("GT");
  ASSERT_TRUE(s->rw->Write(SignedEnvelope("GT", 2, old_key)));  // signed before the switch
  ASSERT_TRUE(s->rw->Write(SignedEnvelope("GT", 3, **next)));   // 2. after the switch
  ASSERT_TRUE(ReadAcksUpTo(*s, 3));
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 3u);

  // 3. The old key retired: the stream authenticated under the previous manifest ends, the
  // next one verifies with the new key only.
  SetManifest(3, {"MX", "GT", "HN"}, next_keys->public_pem);
  s->rw->Write(SignedEnvelope("GT", 4, **next));
  EXPECT_EQ(Ended(*s).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  s = Connect("GT");
  ASSERT_TRUE(s->rw->Write(SignedEnvelope("GT", 4, **next)));
  ASSERT_TRUE(ReadAcksUpTo(*s, 4));
  s->rw->Write(SignedEnvelope("GT", 5, old_key));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 4u);
  EXPECT_TRUE(store_->Get(store_->cf("things"), "GT-4")->has_value());
  EXPECT_FALSE(store_->Get(store_->cf("things"), "GT-5")->has_value());
}

// A published key that is not an Ed25519 public key makes the manifest invalid, naming it.
TEST_F(ExchangeServiceTest, ManifestWithABadAdditionalKeyIsRefused) {
  v1::FederationManifest m;
  {
    absl::MutexLock l(&manifest_mu_);
    m = manifest_->manifest();
  }
  m.set_version(9);
  m.mutable_members(1)->add_additional_signing_public_key_pems("not a key");
  auto snap = ManifestSnapshot::Build(m);
  ASSERT_FALSE(snap.ok());
  EXPECT_TRUE(absl::StrContains(snap.status().ToString(), "additional_signing_public_key_pems[0]"))
      << snap.status();
}

// --- Versions ------------------------------------------------------------------------------

// The Hello of a release before versioning, byte for byte as it went on the wire:
// ExchangeRequest{hello: Hello{sender, receiver}} and nothing else.
v1::ExchangeRequest V1Hello(const std::string& sender, const std::string& receiver) {
  std::string hello;
  hello += '\x0a';  // Hello.sender, length-delimited
  hello += static_cast<char>(sender.size());
  hello += sender;
  hello += '\x12';  // Hello.receiver
  hello += static_cast<char>(receiver.size());
  hello += receiver;
  std::string request;
  request += '\x0a';  // ExchangeRequest.hello
  request += static_cast<char>(hello.size());
  request += hello;
  v1::ExchangeRequest parsed;
  EXPECT_TRUE(parsed.ParseFromString(request));
  EXPECT_EQ(parsed.hello().protocol_version(), 0u);
  return parsed;
}

// An old peer (no version, no features) gets a working link in version 1.
TEST_F(ExchangeServiceTest, PeerFromBeforeVersioningGetsAWorkingLinkInVersionOne) {
  auto s = Open(ClientCert("GT", Identity("GT")));
  ASSERT_TRUE(s->rw->Write(V1Hello("GT", kSelf)));
  v1::ExchangeResponse welcome;
  ASSERT_TRUE(s->rw->Read(&welcome));
  ASSERT_TRUE(welcome.has_welcome());
  EXPECT_EQ(welcome.welcome().applied_seq(), 0u);
  EXPECT_EQ(welcome.welcome().protocol_version(), 1u);
  EXPECT_TRUE(welcome.welcome().features().empty());
  for (uint64_t seq = 1; seq <= 2; ++seq) ASSERT_TRUE(s->rw->Write(Envelope("GT", seq, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 2));
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 2u);
  s->rw->WritesDone();
  EXPECT_TRUE(Ended(*s).ok());
}

// A current peer gets the highest version both speak, and only features this node knows.
TEST_F(ExchangeServiceTest, CurrentPeerGetsTheHighestCommonVersionAndKnownFeaturesOnly) {
  auto s = Open(ClientCert("GT", Identity("GT")));
  v1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender("GT");
  hello.mutable_hello()->set_receiver(kSelf);
  ProtocolRange mine = LocalProtocol();
  mine.max = kProtocolVersion + 3;  // a later release that still speaks this one's version
  mine.features.push_back("later.release.feature");
  FillHello(mine, hello.mutable_hello());
  ASSERT_TRUE(s->rw->Write(hello));
  v1::ExchangeResponse welcome;
  ASSERT_TRUE(s->rw->Read(&welcome));
  ASSERT_TRUE(welcome.has_welcome());
  EXPECT_EQ(welcome.welcome().protocol_version(), kProtocolVersion);
  EXPECT_EQ(std::vector<std::string>(welcome.welcome().features().begin(),
                                     welcome.welcome().features().end()),
            LocalProtocol().features);
  ASSERT_TRUE(s->rw->Write(Envelope("GT", 1, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 1));
}

// --- Signed batches -------------------------------------------------------------------------

// A stream whose Hello offers `range`; the Welcome's features go to `features`.
std::unique_ptr<Stream> ExchangeServiceTest::ConnectOffering(
    const std::string& sender, const ProtocolRange& range, std::vector<std::string>* features) {
  auto s = Open(ClientCert(sender, Identity(sender)));
  v1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender(sender);
  hello.mutable_hello()->set_receiver(kSelf);
  FillHello(range, hello.mutable_hello());
  EXPECT_TRUE(s->rw->Write(hello));
  v1::ExchangeResponse welcome;
  EXPECT_TRUE(s->rw->Read(&welcome));
  EXPECT_TRUE(welcome.has_welcome());
  features->assign(welcome.welcome().features().begin(), welcome.welcome().features().end());
  return s;
}

v1::ExchangeRequest ExchangeServiceTest::Batch(const std::string& sender, uint64_t from,
                                               uint64_t to, const std::string& signed_by) {
  std::vector<v1::Envelope> envs;
  for (uint64_t seq = from; seq <= to; ++seq) {
    envs.push_back(Envelope(sender, seq, sender).envelope());
  }
  auto batch = SignBatch(*countries_[signed_by].signer, sender, kSelf, std::move(envs));
  EXPECT_TRUE(batch.ok()) << batch.status();
  v1::ExchangeRequest req;
  *req.mutable_batch() = *std::move(batch);
  return req;
}

TEST_F(ExchangeServiceTest, CurrentPeerSendsSignedBatchesAndATamperedOneMovesNothing) {
  std::vector<std::string> features;
  auto s = ConnectOffering("GT", LocalProtocol(), &features);
  ASSERT_EQ(features, LocalProtocol().features);
  ASSERT_TRUE(s->rw->Write(Batch("GT", 1, 100, "GT")));
  ASSERT_TRUE(s->rw->Write(Batch("GT", 101, 130, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 130));
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 130u);
  EXPECT_TRUE(store_->Get(store_->cf("things"), "GT-130")->has_value());
  // Envelope 140 altered after signing: the batch 131..150 is refused whole.
  v1::ExchangeRequest bad = Batch("GT", 131, 150, "GT");
  v1::EnvelopeBody body;
  ASSERT_TRUE(body.ParseFromString(bad.batch().envelopes(9).body()));
  body.set_payload("tampered");
  bad.mutable_batch()->mutable_envelopes(9)->set_body(body.SerializeAsString());
  s->rw->Write(bad);
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 130u);
  EXPECT_FALSE(store_->Get(store_->cf("things"), "GT-131")->has_value());
}

// An older peer (version 2, no batches) keeps working with envelopes signed one by one, and a
// batch it was never offered is refused: a peer sends batches only where the Welcome said so.
TEST_F(ExchangeServiceTest, PeerWithoutBatchesInteroperatesAndCannotSendABatch) {
  ProtocolRange old_release;
  old_release.max = 2;
  std::vector<std::string> features;
  auto s = ConnectOffering("GT", old_release, &features);
  EXPECT_TRUE(features.empty());
  for (uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(s->rw->Write(Envelope("GT", seq, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 3));
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 3u);
  s->rw->Write(Batch("GT", 4, 6, "GT"));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 3u);
}

// Batches outside the sender's limits (batch.h) are refused on receipt, naming the problem and
// moving nothing: an empty one would otherwise cost memory yet count for nothing in the
// read-ahead.
TEST_F(ExchangeServiceTest, EmptyOrOversizedBatchIsRefusedAndMovesNothing) {
  std::vector<std::string> features;
  auto s = ConnectOffering("GT", LocalProtocol(), &features);
  ASSERT_EQ(features, LocalProtocol().features);
  ASSERT_TRUE(s->rw->Write(Batch("GT", 1, 3, "GT")));
  ASSERT_TRUE(ReadAcksUpTo(*s, 3));

  v1::ExchangeRequest empty = Batch("GT", 4, 4, "GT");
  empty.mutable_batch()->clear_envelopes();  // the signed manifest stays
  v1::ExchangeRequest too_many = Batch("GT", 4, 3 + kMaxBatchEnvelopes, "GT");
  *too_many.mutable_batch()->add_envelopes() =
      Envelope("GT", 4 + kMaxBatchEnvelopes, "GT").envelope();
  v1::ExchangeRequest too_big = Batch("GT", 4, 5, "GT");
  too_big.mutable_batch()->mutable_envelopes(1)->mutable_body()->append(kMaxBatchBodyBytes, 'x');
  const std::vector<std::pair<v1::ExchangeRequest, std::string>> cases = {
      {empty, "at least one envelope"},
      {too_many, absl::StrCat("at most ", kMaxBatchEnvelopes, " envelopes")},
      {too_big, absl::StrCat("at most ", kMaxBatchBodyBytes, " bytes of bodies")},
  };
  for (const auto& [request, problem] : cases) {
    SCOPED_TRACE(problem);
    if (s == nullptr) s = ConnectOffering("GT", LocalProtocol(), &features);
    s->rw->Write(request);
    const grpc::Status st = Ended(*s);
    s = nullptr;
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
    EXPECT_TRUE(absl::StrContains(st.error_message(), problem)) << st.error_message();
    EXPECT_EQ(*inbox_->AppliedSeq("GT"), 3u);
    EXPECT_FALSE(store_->Get(store_->cf("things"), "GT-4")->has_value());
  }
}

// A peer that speaks only versions above this node's is refused before anything of its link
// is read or moved, with both ranges in the error.
TEST_F(ExchangeServiceTest, PeerSpeakingOnlyNewerVersionsIsRefusedAndMovesNothing) {
  auto s = Open(ClientCert("GT", Identity("GT")));
  v1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender("GT");
  hello.mutable_hello()->set_receiver(kSelf);
  hello.mutable_hello()->set_protocol_version(kProtocolVersion + 2);
  hello.mutable_hello()->set_min_protocol_version(kProtocolVersion + 1);
  s->rw->Write(hello);
  s->rw->Write(Envelope("GT", 1, "GT"));
  v1::ExchangeResponse r;
  while (s->rw->Read(&r)) {
    EXPECT_FALSE(r.has_welcome());
    EXPECT_FALSE(r.has_ack());
  }
  const grpc::Status st = s->rw->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_EQ(st.error_message(),
            absl::StrCat("GT speaks federation protocol versions ", kProtocolVersion + 1, " to ",
                         kProtocolVersion + 2, ", this node versions ", kMinProtocolVersion,
                         " to ", kProtocolVersion,
                         ": this node must be upgraded before the link can run"));
  EXPECT_EQ(*inbox_->AppliedSeq("GT"), 0u);
  EXPECT_FALSE(store_->Get(store_->cf("things"), "GT-1")->has_value());
}

// A node that dropped version 1 refuses a peer from before versioning, naming the versions.
TEST_F(ExchangeServiceTest, PeerTooOldForThisNodeIsRefused) {
  ProtocolRange newer;
  newer.min = 2;
  newer.max = 2;
  ExchangeService strict(kSelf, inbox_.get(), pool_.get(), [this] {
    absl::MutexLock l(&manifest_mu_);
    return manifest_;
  }, newer);
  pki::IssueOptions o;
  o.common_name = "mx node";
  o.dns_names = {"localhost"};
  o.uris = {Identity("MX")};
  o.server = true;
  auto cert = pki::IssueCert(countries_["MX"].ca, o);
  ASSERT_TRUE(cert.ok()) << cert.status();
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  {
    absl::MutexLock l(&manifest_mu_);
    tls.pem_root_certs = manifest_->AllCaPem();
  }
  tls.pem_key_cert_pairs.push_back({cert->key_pem, cert->cert_pem});
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls), &port);
  builder.RegisterService(&strict);
  auto server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  std::swap(port, port_);  // Open() dials port_
  auto s = Open(ClientCert("GT", Identity("GT")));
  std::swap(port, port_);
  s->rw->Write(V1Hello("GT", kSelf));
  const grpc::Status st = Ended(*s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_EQ(st.error_message(),
            "GT speaks federation protocol version 1, this node version 2: GT must be upgraded "
            "before the link can run");
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
}

}  // namespace
}  // namespace enlace::federation

// Federation alone: a real store, committer and listener (mTLS on loopback, certificates from
// the development PKI), a manifest file in a temp dir whose peers are not running (their
// senders just retry), and a bootstrap hook that records what it queues.

#include "services/federation/federation.h"

#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/pki/pki.h"
#include "common/testing/sync_point.h"
#include "google/protobuf/text_format.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace enlace::federation {
namespace {

constexpr char kSelf[] = "MX";

std::string TempDir() {
  std::string tmpl =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/federation_XXXXXX";
  return mkdtemp(tmpl.data());
}

class FederationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    for (const char* c : {"MX", "GT", "HN", "CR"}) {
      auto ca = pki::MakeCa(absl::StrCat("Enlace ", c, " test CA"), absl::Hours(24));
      ASSERT_TRUE(ca.ok()) << ca.status();
      cas_[c] = *ca;
      auto keys = crypto::GenerateEd25519();
      ASSERT_TRUE(keys.ok());
      keys_[c] = *keys;
    }
    pki::IssueOptions o;
    o.common_name = "mx node";
    o.dns_names = {"localhost"};
    o.uris = {"spiffe://mx.enlace.example/node"};
    o.server = true;
    o.client = true;
    auto cert = pki::IssueCert(cas_["MX"], o);
    ASSERT_TRUE(cert.ok()) << cert.status();
    tls_ = NodeTls{cert->cert_pem, cert->key_pem};
    WriteManifest(1, {"MX", "GT", "HN"});
    OpenStore();
    auto* sp = SyncPoint::GetInstance();
    sp->SetCallBack("Sender::Run:Halted", [this](void*) {
      absl::MutexLock l(&mu_);
      ++halted_waits_;
    });
    sp->EnableProcessing();
  }

  void TearDown() override {
    federation_.reset();
    SyncPoint::GetInstance()->Reset();
  }

  void OpenStore() {
    storage::StoreOptions o;
    o.path = dir_ + "/data";
    Federation::AddColumnFamilies(o);
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), kSelf);
    ASSERT_TRUE(committer.ok());
    committer_ = *std::move(committer);
  }

  void WriteManifest(int64_t version, const std::vector<std::string>& countries) {
    v1::FederationManifest m;
    m.set_version(version);
    for (const auto& c : countries) {
      v1::Member* member = m.add_members();
      member->set_country(c);
      member->set_federation_endpoint("127.0.0.1:1");  // nobody listens there
      member->set_node_identity(
          absl::StrCat("spiffe://", absl::AsciiStrToLower(c), ".enlace.example/node"));
      member->set_signing_public_key_pem(keys_[c].public_pem);
      member->set_tls_ca_pem(cas_[c].cert_pem);
    }
    std::string text;
    ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(m, &text));
    ASSERT_TRUE(pki::WriteFile(dir_ + "/manifest.textproto", text, 0644).ok());
  }

  void StartFederation() {
    FederationOptions o;
    o.self = kSelf;
    o.listen_address = "127.0.0.1:0";
    o.manifest_file = dir_ + "/manifest.textproto";
    o.tls = tls_;
    if (watch_files_) {
      o.tls.cert_file = dir_ + "/federation.crt";
      o.tls.key_file = dir_ + "/federation.key";
      o.roots_file = dir_ + "/roots.pem";
    }
    o.signing_key_pem = keys_["MX"].private_pem;
    o.manifest_poll = absl::ZeroDuration();  // reloads only when the test says
    // The peers are down: one attempt each, then a wait that only stopping ends.
    o.sender.initial_backoff = absl::Hours(1);
    o.sender.max_backoff = absl::Hours(1);
    auto f = Federation::Create(o, store_.get(), committer_.get(), &pool_);
    ASSERT_TRUE(f.ok()) << f.status();
    federation_ = *std::move(f);
    federation_->AddBootstrap([this](const std::string& peer, txn::Transaction& txn) {
      txn.envelopes.push_back({peer, "test.hello", "everything you must know"});
      absl::MutexLock l(&mu_);
      ++bootstrapped_[peer];
      return absl::OkStatus();
    });
    ASSERT_TRUE(federation_->Start().ok());
  }

  std::map<std::string, int> Bootstrapped() {
    absl::MutexLock l(&mu_);
    return bootstrapped_;
  }

  bool WaitUntilHalted(int n) {
    absl::MutexLock l(&mu_);
    auto cond = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return halted_waits_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&cond), absl::Seconds(60));
  }

  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    for (auto it = store_->ScanPrefix(committer_->audit_cf(), ""); it->Valid(); it->Next()) {
      enlace::audit::v1::AuditRecord r;
      EXPECT_TRUE(r.ParseFromArray(it->value().data(), it->value().size()));
      out.push_back(r.action());
    }
    return out;
  }

  Caller Operator() {
    Caller c;
    c.identity = "spiffe://mx.enlace.example/role/operator/user/ana";
    c.country = kSelf;
    return c;
  }

  std::string dir_;
  std::map<std::string, pki::CertAndKey> cas_;
  std::map<std::string, crypto::Ed25519KeyPair> keys_;
  NodeTls tls_;
  bool watch_files_ = false;  // the listener watches certificate files (StartFederation)
  ThreadPool pool_{2};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<Federation> federation_;
  absl::Mutex mu_;
  std::map<std::string, int> bootstrapped_ ABSL_GUARDED_BY(mu_);
  int halted_waits_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST_F(FederationTest, CreateRefusesANodeThatIsNotInTheManifest) {
  WriteManifest(1, {"GT", "HN"});
  FederationOptions o;
  o.self = kSelf;
  o.manifest_file = dir_ + "/manifest.textproto";
  o.signing_key_pem = keys_["MX"].private_pem;
  o.manifest_poll = absl::ZeroDuration();
  auto f = Federation::Create(o, store_.get(), committer_.get(), &pool_);
  EXPECT_EQ(f.status().code(), absl::StatusCode::kFailedPrecondition) << f.status();
}

// What a member must learn from this node is queued once per member, with the marker, even
// across restarts; a member added later gets its own.
TEST_F(FederationTest, NewMembersAreBootstrappedExactlyOnce) {
  StartFederation();
  EXPECT_EQ(Bootstrapped(), (std::map<std::string, int>{{"GT", 1}, {"HN", 1}}));
  EXPECT_EQ(committer_->LastQueued("GT"), 1u);
  EXPECT_EQ(federation_->Peers(), (std::vector<std::string>{"GT", "HN"}));

  federation_.reset();  // a restart
  StartFederation();
  EXPECT_EQ(Bootstrapped(), (std::map<std::string, int>{{"GT", 1}, {"HN", 1}}));

  WriteManifest(2, {"MX", "GT", "HN", "CR"});
  ASSERT_TRUE(federation_->ReloadManifest().ok());
  EXPECT_EQ(Bootstrapped(), (std::map<std::string, int>{{"CR", 1}, {"GT", 1}, {"HN", 1}}));
  EXPECT_EQ(committer_->LastQueued("CR"), 1u);
  EXPECT_EQ(committer_->LastQueued("GT"), 1u);
  auto status = federation_->Status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->manifest_version(), 2);
  EXPECT_EQ(status->peers_size(), 3);
  const auto audit = AuditActions();
  EXPECT_EQ(std::count(audit.begin(), audit.end(), "federation.member.bootstrapped"), 3);
}

TEST_F(FederationTest, RemovedMemberLosesItsLink) {
  StartFederation();
  WriteManifest(2, {"MX", "GT"});
  ASSERT_TRUE(federation_->ReloadManifest().ok());
  auto status = federation_->Status();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->peers_size(), 1);
  EXPECT_EQ(status->peers(0).country(), "GT");
}

TEST_F(FederationTest, ResumeLinkNeedsAReasonAndAPeer) {
  StartFederation();
  v1::ResumeLinkRequest req;
  req.set_country("GT");
  EXPECT_EQ(federation_->ResumeLink(req, Operator()).status().code(),
            absl::StatusCode::kInvalidArgument);
  req.set_reason(std::string(501, 'x'));
  EXPECT_EQ(federation_->ResumeLink(req, Operator()).status().code(),
            absl::StatusCode::kInvalidArgument);
  req.set_country("CR");
  req.set_reason("restored");
  EXPECT_EQ(federation_->ResumeLink(req, Operator()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A link halted before a restart is still halted after it, and only ResumeLink (audited,
// with the operator's reason) clears it.
TEST_F(FederationTest, HaltedLinkStaysHaltedAcrossARestartUntilResumed) {
  storage::WriteBatch halt;
  halt.Put(store_->cf("meta"), "sender|halted|GT", "GT says it applied 9 envelopes");
  ASSERT_TRUE(store_->Commit(halt).ok());
  StartFederation();
  ASSERT_TRUE(WaitUntilHalted(1));
  auto status = federation_->Status();
  ASSERT_TRUE(status.ok());
  std::map<std::string, v1::PeerStatus> peers;
  for (const auto& p : status->peers()) peers[p.country()] = p;
  EXPECT_TRUE(peers["GT"].halted());
  EXPECT_EQ(peers["GT"].last_error(), "HALTED: GT says it applied 9 envelopes");
  EXPECT_FALSE(peers["HN"].halted());

  v1::ResumeLinkRequest req;
  req.set_country("HN");
  req.set_reason("checked");
  auto not_halted = federation_->ResumeLink(req, Operator());
  ASSERT_TRUE(not_halted.ok()) << not_halted.status();
  EXPECT_FALSE(not_halted->resumed());

  req.set_country("GT");
  req.set_reason("GT restored from backup; logs reconciled");
  auto resumed = federation_->ResumeLink(req, Operator());
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_TRUE(resumed->resumed());
  EXPECT_FALSE(store_->Get(store_->cf("meta"), "sender|halted|GT")->has_value());
  status = federation_->Status();
  for (const auto& p : status->peers()) {
    if (p.country() == "GT") EXPECT_FALSE(p.halted());
  }
  const auto audit = AuditActions();
  EXPECT_EQ(std::count(audit.begin(), audit.end(), "federation.ResumeLink"), 2);
}

// --- Certificate rotation --------------------------------------------------------------

// A node certificate for `country`'s node identity, issued by `issuer`'s CA.
pki::CertAndKey NodeCert(std::map<std::string, pki::CertAndKey>& cas, const std::string& issuer,
                         const std::string& country) {
  pki::IssueOptions o;
  o.common_name = absl::StrCat(absl::AsciiStrToLower(country), " node");
  o.dns_names = {"localhost"};
  o.uris = {absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/node")};
  o.server = true;
  o.client = true;
  auto cert = pki::IssueCert(cas[issuer], o);
  EXPECT_TRUE(cert.ok()) << cert.status();
  return *cert;
}

// Replaces a certificate and key pair in place as an operator's tooling does: each file
// written whole, then renamed over the old one.
void ReplacePair(const std::string& cert_file, const std::string& key_file,
                 const pki::CertAndKey& pair) {
  ASSERT_TRUE(pki::WriteFile(key_file + ".new", pair.key_pem, 0600).ok());
  ASSERT_TRUE(pki::WriteFile(cert_file + ".new", pair.cert_pem, 0644).ok());
  ASSERT_EQ(std::rename((key_file + ".new").c_str(), key_file.c_str()), 0);
  ASSERT_EQ(std::rename((cert_file + ".new").c_str(), cert_file.c_str()), 0);
}

// The certificate the federation listener presents to a new connection from GT's node (""
// when the handshake or the Hello fails).
std::string PresentedCertificate(int port, const std::string& mx_ca,
                                 const pki::CertAndKey& gt, int channel_id) {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = mx_ca;
  o.pem_cert_chain = gt.cert_pem;
  o.pem_private_key = gt.key_pem;
  grpc::ChannelArguments args;
  args.SetInt("enlace.test.channel_id", channel_id);  // a new connection each time
  auto channel = grpc::CreateCustomChannel(absl::StrCat("localhost:", port),
                                           grpc::SslCredentials(o), args);
  auto stub = v1::FederationService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto rw = stub->Exchange(&ctx);
  v1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender("GT");
  hello.mutable_hello()->set_receiver(kSelf);
  v1::ExchangeResponse welcome;
  std::string presented;
  if (rw->Write(hello) && rw->Read(&welcome) && welcome.has_welcome()) {
    auto pems = ctx.auth_context()->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pems.size() == 1) presented.assign(pems[0].data(), pems[0].size());
  }
  rw->WritesDone();
  rw->Finish().IgnoreError();
  return presented;
}

// The federation listener presents a replaced certificate to new connections without a
// restart, as the API port does; the old files are gone.
TEST_F(FederationTest, ListenerPresentsARotatedCertificateWithoutARestart) {
  watch_files_ = true;
  const std::string cert_file = dir_ + "/federation.crt";
  const std::string key_file = dir_ + "/federation.key";
  const pki::CertAndKey first{tls_.cert_pem, tls_.key_pem};
  ReplacePair(cert_file, key_file, first);
  StartFederation();
  const int port = federation_->port();
  const pki::CertAndKey gt = NodeCert(cas_, "GT", "GT");
  int channels = 0;
  ASSERT_EQ(PresentedCertificate(port, cas_["MX"].cert_pem, gt, ++channels), first.cert_pem);

  const pki::CertAndKey second = NodeCert(cas_, "MX", "MX");
  ASSERT_NE(second.cert_pem, first.cert_pem);
  ReplacePair(cert_file, key_file, second);
  // The listener re-reads the files (every second): wait for it, with patience, not a timing.
  std::string presented;
  for (int i = 0; i < 600 && presented != second.cert_pem; ++i) {
    presented = PresentedCertificate(port, cas_["MX"].cert_pem, gt, ++channels);
    if (presented != second.cert_pem) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(presented, second.cert_pem);
  EXPECT_EQ(federation_->port(), port);  // the same listener, never restarted
  // Every later connection sees the new one.
  EXPECT_EQ(PresentedCertificate(port, cas_["MX"].cert_pem, gt, ++channels), second.cert_pem);
}

// The senders' client side re-reads the node's certificate files at each dial: a node whose
// files held a certificate the peer refuses is accepted once they are replaced, with no
// restart.
TEST_F(FederationTest, SendersPresentTheCertificateFilesAsTheyAreAtEachDial) {
  StartFederation();  // MX's listener; its roots are the members' CAs (not CR's)
  const std::string cert_file = dir_ + "/gt.crt";
  const std::string key_file = dir_ + "/gt.key";
  ReplacePair(cert_file, key_file, NodeCert(cas_, "CR", "GT"));  // a CA MX does not trust
  const pki::CertAndKey gt = NodeCert(cas_, "GT", "GT");
  NodeTls files{"", "", cert_file, key_file};
  auto dialer = NewGrpcExchangeDialer(absl::StrCat("localhost:", federation_->port()),
                                      cas_["MX"].cert_pem, files);
  auto handshake = [&]() {
    auto stream = dialer->Open(absl::Seconds(30));
    v1::ExchangeRequest hello;
    hello.mutable_hello()->set_sender("GT");
    hello.mutable_hello()->set_receiver(kSelf);
    v1::ExchangeResponse welcome;
    const bool ok = stream->Write(hello, false) && stream->Read(&welcome) && welcome.has_welcome();
    stream->Cancel();
    stream->Finish().IgnoreError();
    return ok;
  };
  EXPECT_FALSE(handshake());
  ReplacePair(cert_file, key_file, gt);
  EXPECT_TRUE(handshake());
}

}  // namespace
}  // namespace enlace::federation

// The federation port against hostile peers: wrong CA, wrong identity, forged or misaddressed
// or oversized envelopes, replays, gaps, and a member removed from the manifest. The test
// plays "MX" itself with MX's real certificate and signing key, against a real GT node.
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "common/crypto/signing.h"
#include "common/pki/pki.h"
#include "common/txn/committer.h"
#include "enlace/federation/v1/federation.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/node/node.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace dv1 = ::enlace::directory::v1;
namespace fv1 = ::enlace::federation::v1;

class SecurityTest : public FederationFixture {
 protected:
  void SetUp() override {
    Init({"MX", "GT"}, {"MX", "GT"});
    StartNode("GT");
    auto& mx = federation_->member("MX");
    auto node = ReadSmallFile(mx.dir + "/node.pem");
    auto key = ReadSmallFile(mx.dir + "/node.key");
    mx_tls_ = {node, key};
    auto signer = crypto::Signer::FromPem(mx.signing_private_pem);
    ASSERT_TRUE(signer.ok());
    signer_ = *std::move(signer);
  }

  static std::string ReadSmallFile(const std::string& path) {
    auto s = node::ReadSmallFile(path);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : "";
  }

  std::unique_ptr<fv1::FederationService::Stub> PeerStub(const pki::CertAndKey& identity) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = federation_->member("GT").pki->ca().cert_pem;
    o.pem_cert_chain = identity.cert_pem;
    o.pem_private_key = identity.key_pem;
    grpc::ChannelArguments args;
    args.SetInt("enlace.test.unique", rand());
    return fv1::FederationService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", federation_->member("GT").federation_port),
        grpc::SslCredentials(o), args));
  }

  // Opens Exchange and says Hello; returns the stream's outcome. A Welcome is a failure
  // unless `expect_welcome`.
  grpc::Status HelloOnly(const pki::CertAndKey& identity, const std::string& sender,
                         bool expect_welcome = false) {
    auto stub = PeerStub(identity);
    auto ctx = Deadline();
    auto stream = stub->Exchange(ctx.get());
    fv1::ExchangeRequest hello;
    hello.mutable_hello()->set_sender(sender);
    hello.mutable_hello()->set_receiver("GT");
    stream->Write(hello);
    fv1::ExchangeResponse r;
    const bool welcomed = stream->Read(&r) && r.has_welcome();
    EXPECT_EQ(welcomed, expect_welcome);
    if (welcomed) ctx->TryCancel();
    return stream->Finish();
  }

  fv1::Envelope Make(uint64_t seq, const std::string& kind, const std::string& payload,
                     const std::string& receiver = "GT", crypto::Signer* signer = nullptr) {
    fv1::EnvelopeBody body;
    body.set_sender("MX");
    body.set_receiver(receiver);
    body.set_seq(seq);
    body.set_id(absl::StrCat("test-", seq));
    body.set_kind(kind);
    body.set_payload(payload);
    body.mutable_create_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    fv1::Envelope e;
    e.set_body(body.SerializeAsString());
    e.set_seq(seq);
    e.set_signature(*(signer ? signer : signer_.get())->Sign(e.body()));
    return e;
  }

  static std::string OrgChange(const std::string& owner, const std::string& id,
                               const std::string& display_name) {
    dv1::OrganisationChange change;
    auto* o = change.mutable_organisation();
    o->set_name(absl::StrCat("countries/", owner, "/organisations/", id));
    o->set_display_name(display_name);
    o->set_type(dv1::ORGANISATION_TYPE_LEGAL_AID);
    o->add_services(dv1::SERVICE_LEGAL_AID);
    o->set_revision(1);
    return change.SerializeAsString();
  }

  struct Link {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<fv1::FederationService::Stub> stub;
    std::unique_ptr<grpc::ClientReaderWriter<fv1::ExchangeRequest, fv1::ExchangeResponse>> stream;
  };
  // A stream as MX's node (its TLS identity), past the Hello.
  Link OpenLink() {
    Link l;
    l.stub = PeerStub(mx_tls_);
    l.ctx = Deadline(absl::Seconds(30));
    l.stream = l.stub->Exchange(l.ctx.get());
    fv1::ExchangeRequest hello;
    hello.mutable_hello()->set_sender("MX");
    hello.mutable_hello()->set_receiver("GT");
    EXPECT_TRUE(l.stream->Write(hello));
    fv1::ExchangeResponse welcome;
    EXPECT_TRUE(l.stream->Read(&welcome) && welcome.has_welcome());
    return l;
  }

  pki::CertAndKey mx_tls_;
  std::unique_ptr<crypto::Signer> signer_;
};

TEST_F(SecurityTest, ImpostorsAreRefusedBeforeAnyEnvelope) {
  // A certificate from a CA that is not a member's.
  auto rogue_ca = pki::MakeCa("Rogue CA", absl::Hours(1));
  ASSERT_TRUE(rogue_ca.ok());
  pki::IssueOptions o;
  o.common_name = "node";
  o.uris = {"spiffe://mx.enlace.example/node"};
  o.client = true;
  auto rogue = pki::IssueCert(*rogue_ca, o);
  ASSERT_TRUE(rogue.ok());
  EXPECT_EQ(HelloOnly(*rogue, "MX").error_code(), grpc::UNAVAILABLE);
  // MX's CA, but an operator's identity rather than MX's node.
  EXPECT_EQ(HelloOnly(federation_->member("MX").client, "MX").error_code(),
            grpc::PERMISSION_DENIED);
  // MX's CA vouching for GT's node identity.
  o.uris = {"spiffe://gt.enlace.example/node"};
  auto forged = pki::IssueCert(federation_->member("MX").pki->ca(), o);
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(HelloOnly(*forged, "GT").error_code(), grpc::PERMISSION_DENIED);
  // MX's node saying it is someone else.
  EXPECT_EQ(HelloOnly(mx_tls_, "HN").error_code(), grpc::INVALID_ARGUMENT);
}

TEST_F(SecurityTest, BadEnvelopesAreQuarantinedWithoutStallingTheLink) {
  auto stub = PeerStub(mx_tls_);
  auto ctx = Deadline(absl::Seconds(30));
  auto stream = stub->Exchange(ctx.get());
  fv1::ExchangeRequest req;
  req.mutable_hello()->set_sender("MX");
  req.mutable_hello()->set_receiver("GT");
  ASSERT_TRUE(stream->Write(req));
  fv1::ExchangeResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  ASSERT_TRUE(resp.has_welcome());
  EXPECT_EQ(resp.welcome().applied_seq(), 0u);

  // Authentic envelopes that the handler cannot apply. (Unauthentic ones end the stream
  // instead: see the link-integrity tests below.)
  const std::string ok_payload = OrgChange("MX", "0000000000000000000a", "Clínica Jurídica");
  std::vector<fv1::Envelope> envs = {
      Make(1, "directory.organisation.upsert", std::string(300 * 1024, 'x')),
      Make(2, "referrals.steal", "x"),
      Make(3, "directory.organisation.upsert", ok_payload),
      Make(4, "directory.organisation.upsert",
           OrgChange("GT", "0000000000000000000b", "Entrada ajena")),
  };
  for (auto& e : envs) {
    *req.mutable_envelope() = e;
    ASSERT_TRUE(stream->Write(req));
  }
  // A replay of an applied envelope changes nothing.
  *req.mutable_envelope() = envs[2];
  ASSERT_TRUE(stream->Write(req));
  uint64_t acked = 0;
  while (acked < 4 && stream->Read(&resp)) acked = resp.ack().applied_seq();
  EXPECT_EQ(acked, 4u);
  // A gap ends the stream.
  *req.mutable_envelope() = Make(9, "directory.organisation.upsert", ok_payload);
  stream->Write(req);
  while (stream->Read(&resp)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::FAILED_PRECONDITION);

  // The one good envelope was applied; three are in quarantine with their reasons.
  auto orgs = ListOrgs("GT");
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_EQ(orgs.begin()->first, "countries/MX/organisations/0000000000000000000a");
  fv1::ListQuarantineRequest lq;
  fv1::ListQuarantineResponse q;
  ASSERT_TRUE(Admin("GT").ListQuarantine(Deadline().get(), lq, &q).ok());
  ASSERT_EQ(q.envelopes_size(), 3);
  std::map<uint64_t, std::string> reasons;
  for (const auto& e : q.envelopes()) reasons[e.seq()] = e.reason();
  EXPECT_NE(reasons[1].find("oversized"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("unknown kind"), std::string::npos) << reasons[2];
  EXPECT_NE(reasons[4].find("does not own"), std::string::npos) << reasons[4];
  const auto status = Status("GT");
  ASSERT_EQ(status.peers_size(), 1);
  EXPECT_EQ(status.peers(0).quarantined(), 3);
  EXPECT_EQ(status.peers(0).inbound_applied_seq(), 4u);

  // Every refusal and the replay are in GT's audit log.
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  auto store = storage::Store::Open(
      node::NodeStoreOptions(federation_->member("GT").config.data_dir()));
  ASSERT_TRUE(store.ok());
  auto committer = txn::Committer::Create(store->get(), "GT");
  ASSERT_TRUE(committer.ok());
  std::map<std::string, int> actions;
  for (auto it = (*store)->ScanPrefix((*committer)->audit_cf(), ""); it->Valid(); it->Next()) {
    enlace::audit::v1::AuditRecord r;
    ASSERT_TRUE(r.ParseFromArray(it->value().data(), it->value().size()));
    ++actions[r.action()];
  }
  EXPECT_EQ(actions["federation.envelope.quarantined"], 3);
  EXPECT_EQ(actions["federation.envelope.received"], 1);
  EXPECT_EQ(actions["federation.envelope.duplicate"], 1);
}

// The review's attack: MX's node certificate and TLS key, without MX's signing key, send junk
// as the next three sequence numbers. Before the fix GT quarantined them and moved its
// watermark, so MX's genuine envelopes 1-3 were later dropped as duplicates.
TEST_F(SecurityTest, StolenTlsKeyCannotAdvanceTheWatermark) {
  auto other_key = crypto::GenerateEd25519();
  auto thief = crypto::Signer::FromPem(other_key->private_pem);
  ASSERT_TRUE(thief.ok());
  const std::string payload = OrgChange("MX", "0000000000000000000c", "Albergue Belén");
  {
    auto stream = OpenLink();
    for (uint64_t seq = 1; seq <= 3; ++seq) {
      fv1::ExchangeRequest req;
      *req.mutable_envelope() =
          Make(seq, "directory.organisation.upsert", payload, "GT", thief->get());
      stream.stream->Write(req);
    }
    fv1::ExchangeResponse resp;
    while (stream.stream->Read(&resp)) EXPECT_FALSE(resp.has_ack()) << resp.DebugString();
    grpc::Status st = stream.stream->Finish();
    EXPECT_EQ(st.error_code(), grpc::UNAUTHENTICATED) << st.error_message();
  }
  auto status = Status("GT");
  ASSERT_EQ(status.peers_size(), 1);
  EXPECT_EQ(status.peers(0).inbound_applied_seq(), 0u);
  EXPECT_EQ(status.peers(0).quarantined(), 0);
  EXPECT_EQ(status.peers(0).last_inbound_refusal().seq(), 1u);
  EXPECT_NE(status.peers(0).last_inbound_refusal().reason().find("does not verify"),
            std::string::npos)
      << status.peers(0).last_inbound_refusal().reason();
  // The genuine envelopes with those numbers are then applied, not dropped as duplicates.
  auto stream = OpenLink();
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    fv1::ExchangeRequest req;
    *req.mutable_envelope() = Make(seq, "directory.organisation.upsert",
                                   OrgChange("MX", absl::StrCat("000000000000000000", 10 + seq),
                                             absl::StrCat("Casa ", seq)));
    ASSERT_TRUE(stream.stream->Write(req));
  }
  fv1::ExchangeResponse resp;
  uint64_t acked = 0;
  while (acked < 3 && stream.stream->Read(&resp)) acked = resp.ack().applied_seq();
  EXPECT_EQ(acked, 3u);
  stream.ctx->TryCancel();
  stream.stream->Finish();
  EXPECT_EQ(ListOrgs("GT").size(), 3u);
}

// A genuine signed body replayed under another sequence number, or one addressed to another
// member, is not authentic for this place in this link: it ends the stream, moves nothing.
TEST_F(SecurityTest, SignedBodyReplayedAtAnotherPlaceEndsTheStream) {
  const std::string payload = OrgChange("MX", "0000000000000000000d", "Casa del Migrante");
  for (int variant = 0; variant < 2; ++variant) {
    auto stream = OpenLink();
    fv1::ExchangeRequest req;
    if (variant == 0) {
      *req.mutable_envelope() = Make(7, "directory.organisation.upsert", payload);
      req.mutable_envelope()->set_seq(1);  // the body says 7
    } else {
      *req.mutable_envelope() = Make(1, "directory.organisation.upsert", payload, "HN");
    }
    stream.stream->Write(req);
    fv1::ExchangeResponse resp;
    while (stream.stream->Read(&resp)) EXPECT_FALSE(resp.has_ack());
    EXPECT_EQ(stream.stream->Finish().error_code(), grpc::UNAUTHENTICATED) << variant;
    EXPECT_EQ(Status("GT").peers(0).inbound_applied_seq(), 0u) << variant;
  }
}

// A peer cannot pin memory with many streams: a new stream supersedes the older one.
TEST_F(SecurityTest, SecondStreamFromTheSamePeerSupersedesTheFirst) {
  auto first = OpenLink();
  auto second = OpenLink();
  fv1::ExchangeRequest req;
  *req.mutable_envelope() = Make(1, "directory.organisation.upsert",
                                 OrgChange("MX", "0000000000000000000e", "Refugio"));
  first.stream->Write(req);
  fv1::ExchangeResponse resp;
  while (first.stream->Read(&resp)) EXPECT_FALSE(resp.has_ack());
  EXPECT_EQ(first.stream->Finish().error_code(), grpc::ABORTED);
  // The newer one works.
  ASSERT_TRUE(second.stream->Write(req));
  ASSERT_TRUE(second.stream->Read(&resp));
  EXPECT_EQ(resp.ack().applied_seq(), 1u);
  second.ctx->TryCancel();
  second.stream->Finish();
}

// After MX's signing key is rotated in the manifest, a stream opened under the old manifest
// accepts nothing more signed with the old key.
TEST_F(SecurityTest, RotatedSigningKeyEndsStreamsOpenedUnderTheOldOne) {
  auto stream = OpenLink();
  fv1::ExchangeRequest req;
  *req.mutable_envelope() = Make(1, "directory.organisation.upsert",
                                 OrgChange("MX", "0000000000000000000f", "Uno"));
  ASSERT_TRUE(stream.stream->Write(req));
  fv1::ExchangeResponse resp;
  ASSERT_TRUE(stream.stream->Read(&resp));
  ASSERT_EQ(resp.ack().applied_seq(), 1u);

  // Same version, different content: refused, version 1 stays loaded and the stream lives.
  auto new_key = crypto::GenerateEd25519();
  ASSERT_TRUE(new_key.ok());
  auto& mx = federation_->member("MX");
  const std::string old_public = mx.signing_public_pem;
  mx.signing_public_pem = new_key->public_pem;
  ASSERT_TRUE(federation_->WriteManifest({"MX", "GT"}, 1).ok());
  Signal("GT", SIGHUP);
  *req.mutable_envelope() = Make(2, "directory.organisation.upsert",
                                 OrgChange("MX", "00000000000000000010", "Dos"));
  ASSERT_TRUE(stream.stream->Write(req));
  ASSERT_TRUE(stream.stream->Read(&resp));
  ASSERT_EQ(resp.ack().applied_seq(), 2u);
  EXPECT_EQ(Status("GT").manifest_version(), 1);

  // Version 2 with the new key: the old stream's next envelope (old key) ends it.
  ASSERT_TRUE(federation_->WriteManifest({"MX", "GT"}, 2).ok());
  Signal("GT", SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Status("GT").manifest_version() == 2; }, absl::Seconds(10)));
  *req.mutable_envelope() = Make(3, "directory.organisation.upsert",
                                 OrgChange("MX", "00000000000000000011", "Tres"));
  stream.stream->Write(req);
  while (stream.stream->Read(&resp)) EXPECT_FALSE(resp.has_ack());
  EXPECT_EQ(stream.stream->Finish().error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(Status("GT").peers(0).inbound_applied_seq(), 2u);
  mx.signing_public_pem = old_public;
}

// GT holds envelopes from MX that MX's log never queued (here: signed with MX's key by the
// test, as a restored-from-backup MX would meet). MX's sender must stop and say so, and
// stay stopped -- across a restart and after it queues enough to "catch up" -- until an
// operator resumes the link.
TEST_F(SecurityTest, ReceiverAheadOfTheSendersLogHaltsTheLinkForAnOperator) {
  {
    auto stream = OpenLink();
    for (uint64_t seq = 1; seq <= 3; ++seq) {
      fv1::ExchangeRequest req;
      *req.mutable_envelope() = Make(seq, "directory.organisation.upsert",
                                     OrgChange("MX", absl::StrCat("000000000000000000", 20 + seq),
                                               absl::StrCat("Previa ", seq)));
      ASSERT_TRUE(stream.stream->Write(req));
    }
    fv1::ExchangeResponse resp;
    uint64_t acked = 0;
    while (acked < 3 && stream.stream->Read(&resp)) acked = resp.ack().applied_seq();
    ASSERT_EQ(acked, 3u);
    stream.ctx->TryCancel();
    stream.stream->Finish();
  }
  StartNode("MX");
  auto halted = [&] {
    auto s = Status("MX");
    return s.peers_size() == 1 && s.peers(0).halted();
  };
  ASSERT_TRUE(WaitFor(halted, absl::Seconds(20)));
  EXPECT_NE(Status("MX").peers(0).last_error().find("HALTED"), std::string::npos);
  // MX queues more than GT claims: the link must not turn healthy by itself.
  for (int i = 0; i < 4; ++i) CreateOrg("MX", absl::StrCat("Nueva ", i));
  ASSERT_EQ(StopNode("MX", SIGTERM), 0);
  StartNode("MX");
  ASSERT_TRUE(WaitFor(halted, absl::Seconds(20)));
  EXPECT_FALSE(Status("MX").peers(0).connected());
  // The operator decides; the link goes on.
  fv1::ResumeLinkRequest rl;
  rl.set_country("GT");
  rl.set_reason("Ticket 4411: GT's copies checked against MX's backup");
  fv1::ResumeLinkResponse rr;
  ASSERT_TRUE(Admin("MX").ResumeLink(Deadline().get(), rl, &rr).ok());
  EXPECT_TRUE(rr.resumed());
  EXPECT_TRUE(WaitFor([&] { return !Status("MX").peers(0).halted(); }, absl::Seconds(10)));
}

TEST_F(SecurityTest, RemovedMemberCanNoLongerConnect) {
  HelloOnly(mx_tls_, "MX", /*expect_welcome=*/true);  // welcome while a member
  ASSERT_TRUE(federation_->WriteManifest({"GT"}, 2).ok());
  Signal("GT", SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return Status("GT").manifest_version() == 2; }, absl::Seconds(10)));
  const grpc::StatusCode code = HelloOnly(mx_tls_, "MX").error_code();
  EXPECT_TRUE(code == grpc::UNAVAILABLE || code == grpc::PERMISSION_DENIED) << code;
}

}  // namespace
}  // namespace enlace::testing

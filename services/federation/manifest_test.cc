// ManifestSnapshot, ParseManifest, CertificateIssuedBy and ManifestWatcher alone, with keys
// and CAs made by the development PKI and manifest files in a temp dir.

#include "services/federation/manifest.h"

#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/pki/pki.h"
#include "common/status/errors.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace enlace::federation {
namespace {

std::string TempDir() {
  std::string tmpl =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/manifest_XXXXXX";
  return mkdtemp(tmpl.data());
}

struct Country {
  pki::CertAndKey ca;
  crypto::Ed25519KeyPair signing;
};

// One CA and signing key per country, made once: key generation is the slow part.
const std::map<std::string, Country>& Countries() {
  static const auto* countries = [] {
    auto* out = new std::map<std::string, Country>;
    for (const char* c : {"MX", "GT", "HN"}) {
      auto ca = pki::MakeCa(absl::StrCat("Enlace ", c, " test CA"), absl::Hours(24));
      auto keys = crypto::GenerateEd25519();
      if (!ca.ok() || !keys.ok()) std::abort();
      (*out)[c] = Country{*ca, *keys};
    }
    return out;
  }();
  return *countries;
}

v1::Member MemberOf(const std::string& country) {
  const Country& c = Countries().at(country);
  v1::Member m;
  m.set_country(country);
  m.set_federation_endpoint(absl::StrCat(absl::AsciiStrToLower(country), ".example:7443"));
  m.set_node_identity(
      absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/node"));
  m.set_signing_public_key_pem(c.signing.public_pem);
  m.set_tls_ca_pem(c.ca.cert_pem);
  return m;
}

v1::FederationManifest Manifest(int64_t version,
                                std::vector<std::string> countries = {"MX", "GT", "HN"}) {
  v1::FederationManifest m;
  m.set_version(version);
  for (const auto& c : countries) *m.add_members() = MemberOf(c);
  return m;
}

std::string Text(const v1::FederationManifest& m) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(m, &text);
  return text;
}

// The fields a refused manifest names.
std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : GetFieldViolations(s)) out.push_back(v.field);
  return out;
}

using Strings = std::vector<std::string>;

// --- ManifestSnapshot::Build ---------------------------------------------------------------

TEST(ManifestSnapshotTest, WellFormedManifestFindsEveryMemberByCountryAndIdentity) {
  auto snap = ManifestSnapshot::Build(Manifest(7));
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->version(), 7);
  EXPECT_EQ((*snap)->Countries(), (Strings{"GT", "HN", "MX"}));
  const auto* gt = (*snap)->Find("GT");
  ASSERT_NE(gt, nullptr);
  EXPECT_EQ((*snap)->FindByIdentity("spiffe://gt.enlace.example/node"), gt);
  EXPECT_EQ((*snap)->Find("CR"), nullptr);
  EXPECT_EQ((*snap)->FindByIdentity("spiffe://cr.enlace.example/node"), nullptr);
  for (const char* c : {"MX", "GT", "HN"}) {
    EXPECT_TRUE(absl::StrContains((*snap)->AllCaPem(), Countries().at(c).ca.cert_pem)) << c;
  }
  // The verifier is GT's key: it takes GT's signature and nobody else's.
  auto gt_signer = crypto::Signer::FromPem(Countries().at("GT").signing.private_pem);
  auto hn_signer = crypto::Signer::FromPem(Countries().at("HN").signing.private_pem);
  ASSERT_TRUE(gt_signer.ok() && hn_signer.ok());
  EXPECT_TRUE(gt->verifier->Verify("body", *(*gt_signer)->Sign("body")));
  EXPECT_FALSE(gt->verifier->Verify("body", *(*hn_signer)->Sign("body")));
  EXPECT_FALSE(gt->verifier->Verify("body", ""));
  EXPECT_FALSE(gt->verifier->Verify("body", std::string(64, '\0')));
}

TEST(ManifestSnapshotTest, VersionMustBePositive) {
  for (int64_t version : {0, -3}) {
    auto snap = ManifestSnapshot::Build(Manifest(version));
    EXPECT_EQ(snap.status().code(), absl::StatusCode::kInvalidArgument) << version;
    EXPECT_EQ(Fields(snap.status()), (Strings{"version"}));
  }
}

// A member whose envelopes nothing could verify must not be let in.
TEST(ManifestSnapshotTest, MemberWithoutASigningKeyIsRejected) {
  v1::FederationManifest m = Manifest(1);
  m.mutable_members(1)->clear_signing_public_key_pem();
  auto snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(snap.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(snap.status()), (Strings{"members[1].signing_public_key_pem"}));
}

TEST(ManifestSnapshotTest, SigningKeyThatIsNotAnEd25519PublicKeyIsRejected) {
  v1::FederationManifest m = Manifest(1);
  // A private key where the public one belongs, and a TLS CA certificate.
  m.mutable_members(0)->set_signing_public_key_pem(Countries().at("MX").signing.private_pem);
  m.mutable_members(2)->set_signing_public_key_pem(Countries().at("HN").ca.cert_pem);
  auto snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(snap.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(snap.status()),
            (Strings{"members[0].signing_public_key_pem", "members[2].signing_public_key_pem"}));
}

TEST(ManifestSnapshotTest, CaThatIsNotAPemCertificateIsRejected) {
  v1::FederationManifest m = Manifest(1);
  m.mutable_members(1)->set_tls_ca_pem("-----BEGIN CERTIFICATE-----\nnope\n");
  auto snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(snap.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(snap.status()), (Strings{"members[1].tls_ca_pem"}));
}

TEST(ManifestSnapshotTest, CountryMustBeAnIsoCodeAndAppearOnce) {
  v1::FederationManifest m = Manifest(1);
  m.mutable_members(0)->set_country("ZZ");
  auto snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(Fields(snap.status()), (Strings{"members[0].country"}));

  m = Manifest(1);
  v1::Member twin = MemberOf("GT");
  twin.set_node_identity("spiffe://gt2.enlace.example/node");
  *m.add_members() = twin;
  snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(snap.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(snap.status()), (Strings{"members[3].country"}));
}

// Two members under one identity: a certificate for it would speak for either.
TEST(ManifestSnapshotTest, NodeIdentityMustBeAUniqueSpiffeUri) {
  v1::FederationManifest m = Manifest(1);
  m.mutable_members(1)->set_node_identity(m.members(0).node_identity());
  auto snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(Fields(snap.status()), (Strings{"members[1].node_identity"}));

  m = Manifest(1);
  m.mutable_members(2)->set_node_identity("https://hn.enlace.example/node");
  snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(Fields(snap.status()), (Strings{"members[2].node_identity"}));
}

TEST(ManifestSnapshotTest, EndpointMustBeHostAndPort) {
  v1::FederationManifest m = Manifest(1);
  m.mutable_members(0)->set_federation_endpoint("mx.example");
  m.mutable_members(1)->clear_federation_endpoint();
  auto snap = ManifestSnapshot::Build(m);
  EXPECT_EQ(Fields(snap.status()),
            (Strings{"members[0].federation_endpoint", "members[1].federation_endpoint"}));
}

// --- ParseManifest -------------------------------------------------------------------------

TEST(ParseManifestTest, TextFormatRoundTrips) {
  auto parsed = ParseManifest(Text(Manifest(4)));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->SerializeAsString(), Manifest(4).SerializeAsString());
}

TEST(ParseManifestTest, GarbageAndOversizedTextAreInvalidArgument) {
  EXPECT_EQ(ParseManifest("version: 1\nmembers { nonsense: 3 }").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseManifest(std::string((4 << 20) + 1, ' ')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --- CertificateIssuedBy -------------------------------------------------------------------

pki::CertAndKey NodeCert(const std::string& country, absl::Duration validity = absl::Hours(1),
                         absl::Time not_before = absl::Now() - absl::Minutes(5)) {
  pki::IssueOptions o;
  o.common_name = absl::StrCat(country, " node");
  o.uris = {MemberOf(country).node_identity()};
  o.client = true;
  o.server = true;
  o.validity = validity;
  o.not_before = not_before;
  auto cert = pki::IssueCert(Countries().at(country).ca, o);
  EXPECT_TRUE(cert.ok()) << cert.status();
  return *cert;
}

// gRPC accepts any member's CA; each identity must still come from its own member's CA, or
// GT's CA could vouch for a certificate naming MX's node.
TEST(CertificateIssuedByTest, LeafIsPinnedToItsOwnMembersCa) {
  const pki::CertAndKey mx = NodeCert("MX");
  EXPECT_TRUE(CertificateIssuedBy(mx.cert_pem, Countries().at("MX").ca.cert_pem));
  EXPECT_FALSE(CertificateIssuedBy(mx.cert_pem, Countries().at("GT").ca.cert_pem));
  EXPECT_FALSE(CertificateIssuedBy(mx.cert_pem, "not a certificate"));
  EXPECT_FALSE(CertificateIssuedBy("not a certificate", Countries().at("MX").ca.cert_pem));
}

TEST(CertificateIssuedByTest, ExpiredLeafIsRefused) {
  const pki::CertAndKey old = NodeCert("MX", absl::Hours(1), absl::Now() - absl::Hours(2));
  EXPECT_FALSE(CertificateIssuedBy(old.cert_pem, Countries().at("MX").ca.cert_pem));
}

// --- ManifestWatcher -----------------------------------------------------------------------

class ManifestWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = TempDir() + "/federation.textproto"; }

  void Write(const std::string& text) { ASSERT_TRUE(pki::WriteFile(path_, text, 0644).ok()); }

  // A watcher that only reloads when told (no polling thread).
  std::unique_ptr<ManifestWatcher> StartQuiet() {
    auto w = ManifestWatcher::Start(path_, absl::ZeroDuration());
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *std::move(w) : nullptr;
  }

  std::string path_;
};

TEST_F(ManifestWatcherTest, StartRefusesAMissingOrInvalidFile) {
  EXPECT_EQ(ManifestWatcher::Start(path_, absl::ZeroDuration()).status().code(),
            absl::StatusCode::kNotFound);
  v1::FederationManifest m = Manifest(1);
  m.mutable_members(0)->clear_signing_public_key_pem();
  Write(Text(m));
  EXPECT_EQ(ManifestWatcher::Start(path_, absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ManifestWatcherTest, HigherVersionIsAcceptedAndListenersAreTold) {
  Write(Text(Manifest(1, {"MX", "GT"})));
  auto w = StartQuiet();
  ASSERT_NE(w, nullptr);
  std::vector<int64_t> told;
  w->AddListener([&](std::shared_ptr<const ManifestSnapshot> s) { told.push_back(s->version()); });
  Write(Text(Manifest(2)));
  ASSERT_TRUE(w->Reload().ok());
  EXPECT_EQ(w->Current()->version(), 2);
  EXPECT_NE(w->Current()->Find("HN"), nullptr);
  EXPECT_EQ(told, (std::vector<int64_t>{2}));
  // The same file again is no change: nobody is told.
  ASSERT_TRUE(w->Reload().ok());
  EXPECT_EQ(told, (std::vector<int64_t>{2}));
}

// Rolling back to an older manifest would bring back a removed member or a rotated-out key.
TEST_F(ManifestWatcherTest, OlderVersionIsRejectedAndTheCurrentOneKept) {
  Write(Text(Manifest(5, {"MX", "GT"})));
  auto w = StartQuiet();
  ASSERT_NE(w, nullptr);
  bool told = false;
  w->AddListener([&](std::shared_ptr<const ManifestSnapshot>) { told = true; });
  Write(Text(Manifest(4)));
  EXPECT_EQ(w->Reload().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Current()->version(), 5);
  EXPECT_EQ(w->Current()->Find("HN"), nullptr);
  EXPECT_FALSE(told);
}

// One version, one content: two members must never hold different truths under one number.
TEST_F(ManifestWatcherTest, ChangedContentUnderTheSameVersionIsRejected) {
  Write(Text(Manifest(3, {"MX", "GT"})));
  auto w = StartQuiet();
  ASSERT_NE(w, nullptr);
  Write(Text(Manifest(3)));
  EXPECT_EQ(w->Reload().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Current()->Find("HN"), nullptr);
  // The same content written differently (a comment) is the same manifest.
  Write("# reformatted by an operator\n" + Text(Manifest(3, {"MX", "GT"})));
  EXPECT_TRUE(w->Reload().ok());
  EXPECT_EQ(w->Current()->version(), 3);
}

TEST_F(ManifestWatcherTest, BadNewFileIsRejectedAndTheNodeKeepsTheLastGoodOne) {
  Write(Text(Manifest(1)));
  auto w = StartQuiet();
  ASSERT_NE(w, nullptr);
  auto before = w->Current();
  Write("version: 2\nmembers { country: ");
  EXPECT_EQ(w->Reload().code(), absl::StatusCode::kInvalidArgument);
  v1::FederationManifest unsigned_member = Manifest(2);
  unsigned_member.mutable_members(2)->clear_signing_public_key_pem();
  Write(Text(unsigned_member));
  EXPECT_EQ(w->Reload().code(), absl::StatusCode::kInvalidArgument);
  std::remove(path_.c_str());
  EXPECT_EQ(w->Reload().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(w->Current(), before);
}

TEST_F(ManifestWatcherTest, PollingPicksUpAChangedFile) {
  Write(Text(Manifest(1, {"MX", "GT"})));
  auto w = ManifestWatcher::Start(path_, absl::Milliseconds(5));
  ASSERT_TRUE(w.ok()) << w.status();
  absl::Notification changed;
  (*w)->AddListener([&](std::shared_ptr<const ManifestSnapshot> s) {
    if (s->version() == 2 && !changed.HasBeenNotified()) changed.Notify();
  });
  Write(Text(Manifest(2)));
  // Generous: only a watcher that never polls fails this.
  ASSERT_TRUE(changed.WaitForNotificationWithTimeout(absl::Seconds(60)));
  EXPECT_NE((*w)->Current()->Find("HN"), nullptr);
  w->reset();  // stops and joins the polling thread
}

}  // namespace
}  // namespace enlace::federation

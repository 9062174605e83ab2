#include "common/revocation/revocation.h"

#include <stdlib.h>

#include <string>
#include <vector>

#include "common/pki/pki.h"
#include "gtest/gtest.h"

namespace enlace::revocation {
namespace {

pki::CertAndKey Leaf(const pki::CertAndKey& ca, const std::string& user) {
  pki::IssueOptions o;
  o.common_name = user;
  o.uris = {"spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/" + user};
  o.client = true;
  auto leaf = pki::IssueCert(ca, o);
  EXPECT_TRUE(leaf.ok()) << leaf.status();
  return *leaf;
}

class RevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mx_ = *pki::MakeCa("Enlace MX", absl::Hours(24 * 365));
    gt_ = *pki::MakeCa("Enlace GT", absl::Hours(24 * 365));
    ana_ = Leaf(mx_, "ana");
    beto_ = Leaf(mx_, "beto");
    gt_officer_ = Leaf(gt_, "carmen");
  }
  pki::CertAndKey mx_, gt_, ana_, beto_, gt_officer_;
};

TEST_F(RevocationTest, ARevokedCertificateIsRevokedAndNoOtherIs) {
  auto crl = pki::MakeCrl(mx_, {ana_.cert_pem});
  ASSERT_TRUE(crl.ok()) << crl.status();
  auto list = RevocationList::Parse(*crl, {mx_.cert_pem, gt_.cert_pem});
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 1u);
  EXPECT_TRUE(list->IsRevoked(ana_.cert_pem));
  EXPECT_FALSE(list->IsRevoked(beto_.cert_pem));
  EXPECT_FALSE(list->IsRevoked(gt_officer_.cert_pem));
  EXPECT_TRUE(list->IsRevoked("not a certificate")) << "nothing unreadable is accepted";
  // Two CAs' lists in one file.
  auto both = RevocationList::Parse(*crl + *pki::MakeCrl(gt_, {gt_officer_.cert_pem}),
                                    {mx_.cert_pem, gt_.cert_pem});
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_TRUE(both->IsRevoked(gt_officer_.cert_pem));
  EXPECT_FALSE(both->IsRevoked(beto_.cert_pem));
  EXPECT_EQ(RevocationList::Parse("", {mx_.cert_pem})->size(), 0u);
}

// A CRL that is not its CA's cannot revoke, or un-revoke, anything.
TEST_F(RevocationTest, AForgedOrForeignListIsRefused) {
  auto crl = pki::MakeCrl(mx_, {ana_.cert_pem});
  ASSERT_TRUE(crl.ok());
  EXPECT_EQ(RevocationList::Parse(*crl, {gt_.cert_pem}).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "an issuer this node does not trust";
  // Another CA of the same name: the signature does not verify.
  auto impostor = pki::MakeCa("Enlace MX", absl::Hours(24));
  auto forged = pki::MakeCrl(*impostor, {});
  EXPECT_EQ(RevocationList::Parse(*forged, {mx_.cert_pem}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // One flipped byte in the body.
  std::string tampered = *crl;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(RevocationList::Parse(tampered, {mx_.cert_pem}).ok());
  EXPECT_FALSE(RevocationList::Parse("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
                                     {mx_.cert_pem})
                   .ok());
  EXPECT_FALSE(pki::MakeCrl(mx_, {gt_officer_.cert_pem}).ok()) << "another CA's certificate";
}

// Whatever is not PEM CRLs and nothing else would otherwise read as "no CRL": every
// revocation lifted without a word.
TEST_F(RevocationTest, AFileThatIsNotOnlyPemCrlsIsRefused) {
  const std::string crl = *pki::MakeCrl(mx_, {ana_.cert_pem});
  const std::vector<std::string> cas = {mx_.cert_pem};
  EXPECT_FALSE(RevocationList::Parse("0\x82\x01\x0a binary DER", cas).ok()) << "DER";
  EXPECT_FALSE(RevocationList::Parse("revoked: ana\n", cas).ok()) << "text";
  EXPECT_FALSE(RevocationList::Parse(crl + "trailing junk\n", cas).ok());
  EXPECT_FALSE(RevocationList::Parse(crl.substr(0, crl.size() / 2), cas).ok()) << "truncated";
  EXPECT_FALSE(RevocationList::Parse(ana_.cert_pem, cas).ok()) << "a certificate, not a CRL";
  EXPECT_TRUE(RevocationList::Parse("\n" + crl + "\n\n" + crl, cas).ok());
}

// Two trusted CAs of one name (a CA's rotation): the CRL counts when either signed it.
TEST_F(RevocationTest, AListIsVerifiedByWhicheverCaOfItsNameSignedIt) {
  auto next_mx = pki::MakeCa("Enlace MX", absl::Hours(24));
  ASSERT_TRUE(next_mx.ok());
  auto list = RevocationList::Parse(*pki::MakeCrl(mx_, {ana_.cert_pem}),
                                    {next_mx->cert_pem, mx_.cert_pem});
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_TRUE(list->IsRevoked(ana_.cert_pem));
}

TEST_F(RevocationTest, TheWatcherAppliesANewListAtOnceAndKeepsTheLastGoodOne) {
  const std::string dir =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/crl_XXXXXX";
  std::string tmpl = dir;
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/revoked.pem";
  EXPECT_FALSE(RevocationWatcher::Create(path, [&] { return std::vector{mx_.cert_pem}; }).ok())
      << "a missing file at start";
  ASSERT_TRUE(pki::WriteFile(path, *pki::MakeCrl(mx_, {}), 0644).ok());
  auto w = RevocationWatcher::Create(path, [&] { return std::vector{mx_.cert_pem}; });
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_FALSE((*w)->IsRevoked(ana_.cert_pem));
  // The operator revokes Ana: the next check sees it (the answer cached for her is dropped).
  ASSERT_TRUE(pki::WriteFile(path, *pki::MakeCrl(mx_, {ana_.cert_pem}), 0644).ok());
  EXPECT_TRUE((*w)->IsRevoked(ana_.cert_pem));
  EXPECT_FALSE((*w)->IsRevoked(beto_.cert_pem));
  EXPECT_EQ((*w)->last_error(), "");
  // A broken file, then none: Ana stays revoked, and the error says why.
  ASSERT_TRUE(pki::WriteFile(path, "-----BEGIN X509 CRL-----\ngarbage\n", 0644).ok());
  EXPECT_TRUE((*w)->IsRevoked(ana_.cert_pem));
  EXPECT_NE((*w)->last_error(), "");
  ASSERT_TRUE(pki::WriteFile(path, "", 0644).ok());  // a write that failed half-way
  EXPECT_TRUE((*w)->IsRevoked(ana_.cert_pem));
  EXPECT_NE((*w)->last_error(), "");
  ASSERT_EQ(unlink(path.c_str()), 0);
  EXPECT_TRUE((*w)->IsRevoked(ana_.cert_pem));
  EXPECT_NE((*w)->last_error(), "");
  // A good list again: Ana is re-admitted only by a list that no longer names her.
  ASSERT_TRUE(pki::WriteFile(path, *pki::MakeCrl(mx_, {beto_.cert_pem}), 0644).ok());
  EXPECT_FALSE((*w)->IsRevoked(ana_.cert_pem));
  EXPECT_TRUE((*w)->IsRevoked(beto_.cert_pem));
  EXPECT_EQ((*w)->last_error(), "");
}

}  // namespace
}  // namespace enlace::revocation

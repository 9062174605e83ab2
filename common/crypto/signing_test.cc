#include "common/crypto/signing.h"

#include "gtest/gtest.h"

namespace enlace::crypto {
namespace {

TEST(SigningTest, SignVerifyAndRejectTampering) {
  auto keys = GenerateEd25519();
  ASSERT_TRUE(keys.ok());
  auto signer = Signer::FromPem(keys->private_pem);
  auto verifier = Verifier::FromPem(keys->public_pem);
  ASSERT_TRUE(signer.ok() && verifier.ok());
  auto sig = (*signer)->Sign("envelope body");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE((*verifier)->Verify("envelope body", *sig));
  EXPECT_FALSE((*verifier)->Verify("envelope bodY", *sig));
  std::string bad = *sig;
  bad[0] ^= 1;
  EXPECT_FALSE((*verifier)->Verify("envelope body", bad));
  EXPECT_FALSE((*verifier)->Verify("envelope body", ""));
  auto other = GenerateEd25519();
  auto other_verifier = Verifier::FromPem(other->public_pem);
  EXPECT_FALSE((*other_verifier)->Verify("envelope body", *sig));
}

TEST(SigningTest, RejectsGarbageKeys) {
  EXPECT_FALSE(Signer::FromPem("not a key").ok());
  EXPECT_FALSE(Verifier::FromPem("").ok());
  auto keys = GenerateEd25519();
  EXPECT_FALSE(Verifier::FromPem(keys->private_pem).ok());
}

TEST(SigningTest, PublicPemFromPrivate) {
  auto keys = GenerateEd25519();
  ASSERT_TRUE(keys.ok());
  auto pub = Ed25519PublicPem(keys->private_pem);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(*pub, keys->public_pem);
  EXPECT_FALSE(Ed25519PublicPem(keys->public_pem).ok());
  EXPECT_FALSE(Ed25519PublicPem("garbage").ok());
}

}  // namespace
}  // namespace enlace::crypto

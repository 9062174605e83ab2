#include "common/identity/caller.h"

#include "gtest/gtest.h"

namespace enlace {
namespace {

TEST(CallerTest, ParsesEveryShape) {
  auto o = ParseIdentity("spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->country, "MX");
  EXPECT_EQ(o->role, Role::kOfficer);
  EXPECT_EQ(o->post, "MX-LAX");
  EXPECT_EQ(o->user, "ana");
  auto s = ParseIdentity("spiffe://gt.enlace.example/role/supervisor/user/jefe");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->role, Role::kSupervisor);
  auto n = ParseIdentity("spiffe://hn.enlace.example/node");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->role, Role::kNode);
  // The secretariat's identities carry its user-assigned member code.
  auto x = ParseIdentity("spiffe://xs.enlace.example/role/secretariat/user/crm");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->country, "XS");
  EXPECT_EQ(n->country, "HN");
  // Unknown roles and officers without a post parse, but as kUnknown (denied by policy).
  EXPECT_EQ(ParseIdentity("spiffe://mx.enlace.example/role/janitor/user/x")->role,
            Role::kUnknown);
  EXPECT_EQ(ParseIdentity("spiffe://mx.enlace.example/role/officer/user/x")->role,
            Role::kUnknown);
}

TEST(CallerTest, RejectsMalformed) {
  for (const char* bad : {"", "https://mx.enlace.example/node", "spiffe://mx.evil.example/node",
                          "spiffe://yy.enlace.example/node", "spiffe://mx.enlace.example/",
                          "spiffe://mx.enlace.example/role/officer/post/mx|lax/user/a",
                          "spiffe://mx.enlace.example/role/officer/user/a/extra",
                          "spiffe://mx.enlace.example/role//user/a"}) {
    EXPECT_FALSE(ParseIdentity(bad).ok()) << bad;
  }
}

// Attack: a certificate for spiffe://MX.enlace.example/... was a second identity of the same
// user (its own rate bucket and request ids, missed by an auditor filtering on the canonical
// actor). Only the canonical, lower-case trust domain is an identity.
TEST(CallerTest, MixedCaseTrustDomainIsOneIdentity) {
  auto canonical = ParseIdentity("spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana");
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(canonical->identity, "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana");
  for (const char* other : {"spiffe://MX.enlace.example/role/officer/post/MX-LAX/user/ana",
                            "spiffe://Mx.enlace.example/role/officer/post/MX-LAX/user/ana",
                            "spiffe://mX.enlace.example/node",
                            "spiffe://mx.ENLACE.example/node",
                            "SPIFFE://mx.enlace.example/node",
                            "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/.."}) {
    auto parsed = ParseIdentity(other);
    ASSERT_FALSE(parsed.ok()) << other << " parsed as " << parsed->identity;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kPermissionDenied);
  }
  EXPECT_NE(ParseIdentity("spiffe://MX.enlace.example/node").status().message().find(
                "spiffe://mx.enlace.example/"),
            std::string::npos);
}

// Attack: a certificate (from a compromised or careless CA) claiming the system role that the
// node's own modules act under. No URI yields it; the policy then denies the caller.
TEST(CallerTest, NoCertificateCarriesTheSystemRole) {
  for (const char* uri : {"spiffe://mx.enlace.example/role/system/user/x",
                          "spiffe://mx.enlace.example/role/System/user/x",
                          "spiffe://mx.enlace.example/role/system/post/MX-LAX/user/x"}) {
    auto c = ParseIdentity(uri);
    if (c.ok()) EXPECT_EQ(c->role, Role::kUnknown) << uri;
  }
  const Caller system = SystemCaller("MX", "notifications");
  EXPECT_EQ(system.role, Role::kSystem);
  EXPECT_EQ(system.identity, "node/MX/notifications");
  EXPECT_EQ(system.country, "MX");
  // Not a URI: it can never be presented over mTLS either.
  EXPECT_FALSE(ParseIdentity(system.identity).ok());
}

}  // namespace
}  // namespace enlace

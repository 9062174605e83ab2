#include "common/authz/policy.h"

#include <set>

#include "common/authz/authorizer.h"
#include "enlace/audit/v1/audit_service.pb.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "gtest/gtest.h"

namespace enlace::authz {
namespace {

// The table is read from the access options of the protos linked in; these calls (defined in
// the .pb.cc files) link the ones this test asks about.
const bool kLinked = enlace::cases::v1::CreateCaseRequest::descriptor() != nullptr &&
                     enlace::cases::v1::CreatePersonRequest::descriptor() != nullptr &&
                     enlace::audit::v1::VerifyAuditLogRequest::descriptor() != nullptr;

TEST(PolicyTest, ReadFromTheProtosAccessOptions) {
  ASSERT_TRUE(kLinked);
  EXPECT_GE(PolicyTable().size(), 15u);
  EXPECT_TRUE(CheckServiceDeclaresAccess("enlace.cases.v1.CaseService").ok());
  EXPECT_EQ(CheckServiceDeclaresAccess("enlace.cases.v1.NoSuchService").code(),
            absl::StatusCode::kNotFound);
}

TEST(PolicyTest, DefaultDenyAndNoDuplicateRows) {
  EXPECT_FALSE(PolicyAllows("enlace.cases.v1.CaseService/DropEverything", Role::kSupervisor));
  EXPECT_FALSE(PolicyAllows("enlace.cases.v1.CaseService/GetCase", Role::kUnknown));
  EXPECT_FALSE(PolicyAllows("enlace.cases.v1.CaseService/GetCase", Role::kNode));
  std::set<std::string> seen;
  for (const auto& r : PolicyTable()) EXPECT_TRUE(seen.insert(r.method).second) << r.method;
}

TEST(PolicyTest, KeyCells) {
  EXPECT_TRUE(PolicyAllows("enlace.cases.v1.CaseService/GetCase", Role::kOfficer));
  EXPECT_FALSE(PolicyAllows("enlace.cases.v1.CaseService/GetCase", Role::kOperator));
  EXPECT_FALSE(PolicyAllows("enlace.cases.v1.CaseService/GetCase", Role::kAuditor));
  EXPECT_FALSE(PolicyAllows("enlace.cases.v1.CaseService/GetCase", Role::kSecretariat));
  EXPECT_TRUE(PolicyAllows("enlace.cases.v1.PersonService/ErasePerson", Role::kSupervisor));
  EXPECT_FALSE(PolicyAllows("enlace.cases.v1.PersonService/ErasePerson", Role::kOfficer));
  EXPECT_TRUE(PolicyAllows("enlace.audit.v1.AuditService/VerifyAuditLog", Role::kAuditor));
  EXPECT_FALSE(PolicyAllows("enlace.audit.v1.AuditService/VerifyAuditLog", Role::kSupervisor));
}

TEST(AuthorizerTest, CountryRoleAndRateLimit) {
  Authorizer a({"MX", 10, 3}, nullptr);
  const char* m = "enlace.cases.v1.CaseService/GetCase";
  EXPECT_EQ(a.Authorize(m, ParseIdentity("spiffe://gt.enlace.example/role/supervisor/user/x"))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(a.Authorize(m, ParseIdentity("spiffe://mx.enlace.example/role/operator/user/x"))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  auto sup = ParseIdentity("spiffe://mx.enlace.example/role/supervisor/user/x");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(a.Authorize(m, sup).ok());
  EXPECT_EQ(a.Authorize(m, sup).status().code(), absl::StatusCode::kResourceExhausted);
}

// The system role is for a node's own modules, in process: no RPC admits it.
TEST(PolicyTest, NoMethodAdmitsTheSystemRole) {
  for (const PolicyRule& rule : PolicyTable()) {
    EXPECT_FALSE(PolicyAllows(rule.method, Role::kSystem)) << rule.method;
  }
}

}  // namespace
}  // namespace enlace::authz

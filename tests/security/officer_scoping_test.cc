// Attacks on officer scoping (issue 8, item 1): an officer of one post tries to reach a person
// registered through another post. A post reaches a person only by a written rule -- it created
// them, a supervisor granted it, or its officer presented the person's identity document -- and
// every grant and every refusal is in the audit log.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/grpc_status.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;
namespace av1 = ::enlace::audit::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/jefa";
constexpr char kAuditor[] = "spiffe://mx.enlace.example/role/auditor/user/contralor";
constexpr char kLax[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana";
constexpr char kChi[] = "spiffe://mx.enlace.example/role/officer/post/MX-CHI/user/beto";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

class OfficerScopingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("scoping");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    auto node = node::Node::Start(testing::TestNodeConfig(dir_, "MX"));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);

    // A person registered through Chicago, with a case there.
    v1::CreatePersonRequest cp;
    cp.set_parent("countries/MX");
    *cp.mutable_person() = Victim();
    ASSERT_TRUE(Persons(kChi)->CreatePerson(Ctx().get(), cp, &person_).ok());
    v1::Case out;
    ASSERT_TRUE(Cases(kChi)->CreateCase(Ctx().get(), CaseAt("MX-CHI"), &out).ok());
  }
  void TearDown() override {
    if (node_) EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  }

  static v1::Person Victim() {
    v1::Person p;
    p.set_given_names("Rosa María");
    p.set_family_names("Tepox Cuautle");
    p.set_sex(v1::SEX_FEMALE);
    p.set_birth_date("1991-04-02");
    p.add_nationalities("MX");
    p.set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
    auto* d = p.add_documents();
    d->set_type(v1::DOCUMENT_TYPE_PASSPORT);
    d->set_number("N31415926");
    d->set_issuing_country("MX");
    return p;
  }
  v1::CreateCaseRequest CaseAt(const std::string& post) const {
    v1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    auto* c = cc.mutable_case_();
    c->set_person(person_.name());
    c->set_post(post);
    c->set_host_country("US");
    c->set_place("Los Angeles, California");
    c->set_category(v1::CATEGORY_MIGRATION);
    c->set_subtype(v1::SUBTYPE_IMMIGRATION_DETENTION);
    c->set_legal_basis(v1::LEGAL_BASIS_VITAL_INTEREST);
    return cc;
  }
  std::shared_ptr<grpc::Channel> Channel(const char* uri) {
    auto cert = pki_->Client(uri);
    EXPECT_TRUE(cert.ok());
    return testing::MakeChannel(node_->api_port(), pki_->ca(), &*cert);
  }
  std::unique_ptr<v1::PersonService::Stub> Persons(const char* uri) {
    return v1::PersonService::NewStub(Channel(uri));
  }
  std::unique_ptr<v1::CaseService::Stub> Cases(const char* uri) {
    return v1::CaseService::NewStub(Channel(uri));
  }
  grpc::StatusCode GetPersonAs(const char* uri) {
    v1::GetPersonRequest gp;
    gp.set_name(person_.name());
    v1::Person out;
    return Persons(uri)->GetPerson(Ctx().get(), gp, &out).error_code();
  }
  // Audit records of `action` by `actor`, in log order.
  std::vector<av1::AuditRecord> Audited(const char* actor, const std::string& action) {
    auto stub = av1::AuditService::NewStub(Channel(kAuditor));
    std::vector<av1::AuditRecord> out;
    av1::ListAuditRecordsRequest req;
    req.set_actor(actor);
    req.set_page_size(1000);
    av1::ListAuditRecordsResponse resp;
    EXPECT_TRUE(stub->ListAuditRecords(Ctx().get(), req, &resp).ok());
    for (const auto& r : resp.records()) {
      if (r.action() == action) out.push_back(r);
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<node::Node> node_;
  v1::Person person_;
};

// The attack of the review: GetPerson refused, then CreateCase at the officer's own post, then
// GetPerson answered with names, birth date and documents.
TEST_F(OfficerScopingTest, CreateCaseAtOwnPostDoesNotGrantAccessToAnotherPostsPerson) {
  ASSERT_EQ(GetPersonAs(kLax), grpc::PERMISSION_DENIED);
  v1::Case out;
  grpc::Status s = Cases(kLax)->CreateCase(Ctx().get(), CaseAt("MX-LAX"), &out);
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "presented_identity")) << s.error_message();
  EXPECT_EQ(GetPersonAs(kLax), grpc::PERMISSION_DENIED);
  // Both refusals are audited, with the refusal's reason.
  auto denied = Audited(kLax, "enlace.cases.v1.CaseService/CreateCase");
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].outcome(), av1::AUDIT_OUTCOME_DENIED);
  EXPECT_EQ(Audited(kLax, "enlace.cases.v1.PersonService/GetPerson").size(), 2u);
}

// Knowing a document number is not knowing the person: the duplicate-document answer names
// the holder only to a post that reaches them, or to one that presents their full identity.
TEST_F(OfficerScopingTest, DuplicateDocumentDoesNotDiscloseTheHolderToAnotherPost) {
  v1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  *cp.mutable_person() = Victim();
  cp.mutable_person()->set_given_names("Fulano");  // the attacker guesses the rest
  cp.mutable_person()->set_birth_date("1990-01-01");
  v1::Person out;
  grpc::Status s = Persons(kLax)->CreatePerson(Ctx().get(), cp, &out);
  EXPECT_EQ(s.error_code(), grpc::ALREADY_EXISTS);
  EXPECT_FALSE(absl::StrContains(s.error_message(), person_.name())) << s.error_message();
  auto refused = Audited(kLax, "cases.CreatePerson");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].outcome(), av1::AUDIT_OUTCOME_REJECTED);
  EXPECT_EQ(refused[0].resources_size(), 0);

  // The person at the counter: same document, names and birth date as printed on it.
  *cp.mutable_person() = Victim();
  cp.mutable_person()->set_given_names("ROSA MARIA");  // typed without accents, in capitals
  s = Persons(kLax)->CreatePerson(Ctx().get(), cp, &out);
  EXPECT_EQ(s.error_code(), grpc::ALREADY_EXISTS);
  EXPECT_TRUE(absl::StrContains(s.error_message(), person_.name())) << s.error_message();
  // Chicago, which reaches the person, is told the holder.
  s = Persons(kChi)->CreatePerson(Ctx().get(), cp, &out);
  EXPECT_TRUE(absl::StrContains(s.error_message(), person_.name())) << s.error_message();
  // Naming the holder did not grant anything.
  EXPECT_EQ(GetPersonAs(kLax), grpc::PERMISSION_DENIED);
}

TEST_F(OfficerScopingTest, PresentedIdentityDocumentGrantsThePostAndIsAudited) {
  v1::CreateCaseRequest cc = CaseAt("MX-LAX");
  auto* shown = cc.mutable_presented_identity();
  *shown->mutable_document() = Victim().documents(0);
  shown->mutable_document()->set_number("n3141-5926");  // as printed; spacing ignored
  shown->set_given_names("Rosa Maria");
  shown->set_family_names("Tepox Cuautle");
  shown->set_birth_date("1991-04-03");  // one day off: not the person's document
  v1::Case out;
  EXPECT_EQ(Cases(kLax)->CreateCase(Ctx().get(), cc, &out).error_code(),
            grpc::PERMISSION_DENIED);
  shown->set_birth_date("1991-04-02");
  grpc::Status s = Cases(kLax)->CreateCase(Ctx().get(), cc, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(GetPersonAs(kLax), grpc::OK);
  auto grants = Audited(kLax, "cases.GrantPersonAccess");
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].resources(0), person_.name());
  EXPECT_TRUE(absl::StrContains(grants[0].detail(), "MX-LAX")) << grants[0].detail();
  EXPECT_TRUE(absl::StrContains(grants[0].detail(), "presented")) << grants[0].detail();

  // Malformed presented identity: INVALID_ARGUMENT naming the field, nothing changes.
  shown->mutable_document()->set_issuing_country("mx");
  s = Cases(kLax)->CreateCase(Ctx().get(), cc, &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "presented_identity.document.issuing_country"))
      << s.error_message();
}

TEST_F(OfficerScopingTest, OnlyASupervisorGrantsAPostAndEveryGrantIsAudited) {
  v1::GrantPersonAccessRequest g;
  g.set_name(person_.name());
  g.set_post("MX-LAX");
  g.set_reason("Oficio 2026/118: the person moved to Los Angeles");
  v1::GrantPersonAccessResponse out;
  EXPECT_EQ(Persons(kLax)->GrantPersonAccess(Ctx().get(), g, &out).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(GetPersonAs(kLax), grpc::PERMISSION_DENIED);
  g.set_post("MX-XXX");
  EXPECT_EQ(Persons(kSupervisor)->GrantPersonAccess(Ctx().get(), g, &out).error_code(),
            grpc::INVALID_ARGUMENT);
  g.set_post("MX-LAX");
  ASSERT_TRUE(Persons(kSupervisor)->GrantPersonAccess(Ctx().get(), g, &out).ok());
  EXPECT_TRUE(out.granted());
  EXPECT_EQ(GetPersonAs(kLax), grpc::OK);
  ASSERT_TRUE(Persons(kSupervisor)->GrantPersonAccess(Ctx().get(), g, &out).ok());
  EXPECT_FALSE(out.granted());
  auto grants = Audited(kSupervisor, "cases.GrantPersonAccess");
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_TRUE(absl::StrContains(grants[0].detail(), "Oficio 2026/118")) << grants[0].detail();
  // A supervisor's case at a third post is a grant too, and says so.
  v1::Case c;
  ASSERT_TRUE(Cases(kSupervisor)->CreateCase(Ctx().get(), CaseAt("MX-GUA"), &c).ok());
  grants = Audited(kSupervisor, "cases.GrantPersonAccess");
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_TRUE(absl::StrContains(grants[2].detail(), "MX-GUA")) << grants[2].detail();
}

}  // namespace
}  // namespace enlace

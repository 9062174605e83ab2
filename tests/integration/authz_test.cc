// The policy table over real mTLS: every row, every role, allowed and denied; and an officer
// of one post cannot reach another post's cases or persons by name, by list or by search.
#include <set>

#include "absl/strings/str_cat.h"
#include "common/authz/policy.h"
#include "common/status/grpc_status.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/cases/rules.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

const std::vector<std::pair<Role, std::string>>& Identities() {
  static const auto* ids = new std::vector<std::pair<Role, std::string>>{
      {Role::kOfficer, "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana"},
      {Role::kSupervisor, "spiffe://mx.enlace.example/role/supervisor/user/jefa"},
      {Role::kAuditor, "spiffe://mx.enlace.example/role/auditor/user/contralor"},
      {Role::kOperator, "spiffe://mx.enlace.example/role/operator/user/ops"},
      {Role::kSecretariat, "spiffe://mx.enlace.example/role/secretariat/user/crm"},
      {Role::kNode, "spiffe://mx.enlace.example/node"},
      {Role::kUnknown, "spiffe://mx.enlace.example/role/visitor/user/x"},
  };
  return *ids;
}

class AuthzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("authz");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok());
    pki_ = std::make_unique<testing::TestPki>(*pki);
    auto node = node::Node::Start(testing::TestNodeConfig(dir_, "MX"));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
  }
  void TearDown() override {
    if (node_) {
      EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
    }
  }
  std::shared_ptr<grpc::Channel> Channel(const std::string& uri) {
    auto cert = pki_->Client(uri);
    EXPECT_TRUE(cert.ok());
    return testing::MakeChannel(node_->api_port(), pki_->ca(), &*cert);
  }
  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }
  // Calls `method` with an empty request through a generic stub; returns the status.
  grpc::Status CallStatus(grpc::GenericStub& stub, const std::string& method) {
    grpc::ByteBuffer request, response;
    grpc::Slice empty("");
    request = grpc::ByteBuffer(&empty, 1);
    grpc::CompletionQueue cq;
    auto ctx = Ctx();
    auto call = stub.PrepareUnaryCall(ctx.get(), "/" + method, request, &cq);
    call->StartCall();
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }
  grpc::StatusCode Call(grpc::GenericStub& stub, const std::string& method) {
    return CallStatus(stub, method).error_code();
  }
  // The policy's own refusal (common/authz), apart from a domain's (a child-protection grant
  // missing, another post's record), which an allowed role may still meet.
  static bool PolicyRefused(const grpc::Status& s) {
    return s.error_code() == grpc::PERMISSION_DENIED &&
           s.error_message().find(" may not call ") != std::string::npos;
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<node::Node> node_;
};

TEST_F(AuthzTest, EveryPolicyCellOverMutualTls) {
  int allowed = 0, denied = 0, unserved = 0;
  for (const auto& [role, uri] : Identities()) {
    grpc::GenericStub stub(Channel(uri));
    for (const auto& rule : authz::PolicyTable()) {
      const grpc::Status status = CallStatus(stub, rule.method);
      if (status.error_code() == grpc::UNIMPLEMENTED) {
        ++unserved;  // a service this node does not serve (yet): nothing to check
        continue;
      }
      if (authz::PolicyAllows(rule.method, role)) {
        EXPECT_FALSE(PolicyRefused(status)) << RoleName(role) << " -> " << rule.method;
        ++allowed;
      } else {
        EXPECT_TRUE(PolicyRefused(status))
            << RoleName(role) << " -> " << rule.method << ": " << status.error_message();
        ++denied;
      }
    }
  }
  std::cout << "policy cells: " << allowed << " allowed, " << denied << " denied, " << unserved
            << " not served by a standalone node\n";
  EXPECT_GT(allowed, 20);
  EXPECT_GT(denied, 60);
  // A different country's identity, even with a supervisor role, is refused everywhere.
  grpc::GenericStub foreign(Channel("spiffe://gt.enlace.example/role/supervisor/user/x"));
  EXPECT_EQ(Call(foreign, "enlace.cases.v1.CaseService/ListCases"), grpc::PERMISSION_DENIED);
}

TEST_F(AuthzTest, OfficerSeesOnlyItsOwnPost) {
  auto supervisor_ch = Channel("spiffe://mx.enlace.example/role/supervisor/user/jefa");
  auto lax_ch = Channel("spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana");
  auto chi_ch = Channel("spiffe://mx.enlace.example/role/officer/post/MX-CHI/user/beto");
  auto sup_persons = v1::PersonService::NewStub(supervisor_ch);
  auto sup_cases = v1::CaseService::NewStub(supervisor_ch);
  auto lax_persons = v1::PersonService::NewStub(lax_ch);
  auto lax_cases = v1::CaseService::NewStub(lax_ch);
  auto chi_cases = v1::CaseService::NewStub(chi_ch);

  v1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  auto* p = cp.mutable_person();
  p->set_given_names("Guadalupe");
  p->set_family_names("Xicoténcatl");
  p->set_sex(v1::SEX_FEMALE);
  p->add_nationalities("MX");
  p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
  auto* d = p->add_documents();
  d->set_type(v1::DOCUMENT_TYPE_PASSPORT);
  d->set_number("G77001122");
  d->set_issuing_country("MX");
  v1::Person person;
  ASSERT_TRUE(sup_persons->CreatePerson(Ctx().get(), cp, &person).ok());
  v1::CreateCaseRequest cc;
  cc.set_parent("countries/MX");
  auto* c = cc.mutable_case_();
  c->set_person(person.name());
  c->set_post("MX-CHI");
  c->set_host_country("US");
  c->set_place("Chicago, Illinois");
  c->set_category(v1::CATEGORY_LABOUR);
  c->set_subtype(v1::SUBTYPE_UNPAID_WAGES);
  c->set_legal_basis(v1::LEGAL_BASIS_VITAL_INTEREST);
  v1::Case chi_case;
  ASSERT_TRUE(sup_cases->CreateCase(Ctx().get(), cc, &chi_case).ok());

  // By name.
  v1::GetCaseRequest gc;
  gc.set_name(chi_case.name());
  v1::Case out;
  EXPECT_EQ(lax_cases->GetCase(Ctx().get(), gc, &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(chi_cases->GetCase(Ctx().get(), gc, &out).ok());
  v1::GetPersonRequest gp;
  gp.set_name(person.name());
  v1::Person pout;
  EXPECT_EQ(lax_persons->GetPerson(Ctx().get(), gp, &pout).error_code(),
            grpc::PERMISSION_DENIED);
  // By list.
  v1::ListCasesRequest lc;
  lc.set_parent("countries/MX");
  v1::ListCasesResponse list;
  ASSERT_TRUE(lax_cases->ListCases(Ctx().get(), lc, &list).ok());
  EXPECT_EQ(list.cases_size(), 0);
  lc.set_post("MX-CHI");
  EXPECT_EQ(lax_cases->ListCases(Ctx().get(), lc, &list).error_code(), grpc::PERMISSION_DENIED);
  lc.clear_post();
  lc.set_person(person.name());
  ASSERT_TRUE(lax_cases->ListCases(Ctx().get(), lc, &list).ok());
  EXPECT_EQ(list.cases_size(), 0);
  ASSERT_TRUE(chi_cases->ListCases(Ctx().get(), lc, &list).ok());
  EXPECT_EQ(list.cases_size(), 1);
  // By search, by name and by document.
  v1::SearchPersonsRequest sp;
  sp.set_parent("countries/MX");
  sp.set_name_query("guadalupe xicotencatl");
  v1::SearchPersonsResponse found;
  ASSERT_TRUE(lax_persons->SearchPersons(Ctx().get(), sp, &found).ok());
  EXPECT_EQ(found.persons_size(), 0);
  ASSERT_TRUE(sup_persons->SearchPersons(Ctx().get(), sp, &found).ok());
  EXPECT_EQ(found.persons_size(), 1);
  sp.clear_name_query();
  *sp.mutable_document() = *d;
  ASSERT_TRUE(lax_persons->SearchPersons(Ctx().get(), sp, &found).ok());
  EXPECT_EQ(found.persons_size(), 0);
  // Writes: a case at another post, or moving one there.
  cc.mutable_case_()->set_post("MX-CHI");
  EXPECT_EQ(lax_cases->CreateCase(Ctx().get(), cc, &out).error_code(), grpc::PERMISSION_DENIED);
  v1::AddActionRequest aa;
  aa.set_parent(chi_case.name());
  aa.mutable_action()->set_type(v1::ACTION_TYPE_PHONE_CALL);
  aa.mutable_action()->set_officer("ofc-1");
  *aa.mutable_action()->mutable_occur_time() = enlace::ToProtoTime(absl::Now());
  aa.mutable_action()->set_outcome(v1::ACTION_OUTCOME_COMPLETED);
  v1::Action aout;
  EXPECT_EQ(lax_cases->AddAction(Ctx().get(), aa, &aout).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(chi_cases->AddAction(Ctx().get(), aa, &aout).ok());
}

}  // namespace
}  // namespace enlace

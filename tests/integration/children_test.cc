// Child protection on one node over real gRPC: the record of an unaccompanied adolescent's case,
// its workflow and refusals, the four-eyes determination, tracing under consent, the
// child-protection grant against every other role, and the sealed fields absent from the store.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/children/v1/children.grpc.pb.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace chv1 = ::enlace::children::v1;
namespace cv1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/jefa";
constexpr char kOtherSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/titular";
constexpr char kGranted[] = "spiffe://mx.enlace.example/role/officer/post/MX-TAP/user/psicologa";
constexpr char kPlainOfficer[] = "spiffe://mx.enlace.example/role/officer/post/MX-TAP/user/otro";
constexpr char kOtherPost[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/consul";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

class ChildrenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("children");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    config_ = testing::TestNodeConfig(dir_, "MX");
    auto node = node::Node::Start(config_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
  }
  void TearDown() override {
    if (node_ != nullptr) EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& who) {
    auto cert = pki_->Client(who);
    return testing::MakeChannel(node_->api_port(), pki_->ca(), &*cert);
  }
  std::unique_ptr<chv1::ChildProtectionService::Stub> Children(const std::string& who) {
    return chv1::ChildProtectionService::NewStub(Channel(who));
  }

  // A person born `birth_date` with a case at MX-TAP; returns the case name.
  std::string CaseOf(const std::string& given, const std::string& birth_date) {
    auto persons = cv1::PersonService::NewStub(Channel(kSupervisor));
    auto cases = cv1::CaseService::NewStub(Channel(kSupervisor));
    cv1::CreatePersonRequest cp;
    cp.set_parent("countries/MX");
    auto* p = cp.mutable_person();
    p->set_given_names(given);
    p->set_family_names("Choc Caal");
    p->set_sex(cv1::SEX_FEMALE);
    p->set_birth_date(birth_date);
    p->add_nationalities("MX");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    cv1::Person person;
    EXPECT_TRUE(persons->CreatePerson(Ctx().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post("MX-TAP");
    c->set_host_country("MX");
    c->set_place("Tapachula, Chiapas");
    c->set_category(cv1::CATEGORY_MIGRATION);
    c->set_subtype(cv1::SUBTYPE_IMMIGRATION_DETENTION);
    c->set_legal_basis(cv1::LEGAL_BASIS_CHILD_BEST_INTEREST);
    cv1::Case out;
    grpc::Status s = cases->CreateCase(Ctx().get(), cc, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }

  static chv1::ChildRecord Facts(const std::string& kase) {
    chv1::ChildRecord r;
    r.set_case_(kase);
    r.set_accompaniment(chv1::ACCOMPANIMENT_UNACCOMPANIED);
    r.set_age_basis(chv1::AGE_BASIS_DECLARED);
    r.add_concerns(chv1::CONCERN_WITHOUT_DOCUMENTS);
    r.add_concerns(chv1::CONCERN_PSYCHOSOCIAL_DISTRESS);
    auto* care = r.add_care();
    care->set_type(chv1::CARE_TYPE_SHELTER);
    care->set_caregiver("Albergue Belén, hermana Lucía Mendoza");
    care->set_authority("DIF Chiapas");
    care->set_start_date("2026-11-20");
    r.set_legal_representative("Procuraduría de Protección, licenciada Yadira Ruiz");
    r.mutable_views_heard()->set_language("mam");
    *r.mutable_views_heard()->mutable_time() = ToProtoTime(absl::Now() - absl::Hours(5));
    r.set_tracing_consent(true);
    r.set_assent(chv1::ASSENT_GIVEN);
    return r;
  }

  // An organisation of this node's directory offering `service`; returns its name.
  std::string Org(const std::string& display_name, dv1::Service service) {
    dv1::CreateOrganisationRequest req;
    req.set_parent("countries/MX");
    auto* o = req.mutable_organisation();
    o->set_display_name(display_name);
    o->set_type(dv1::ORGANISATION_TYPE_GOVERNMENT_AGENCY);
    o->add_services(service);
    o->add_areas("MX-CHP");
    o->add_languages("es");
    dv1::Organisation out;
    grpc::Status s = dv1::DirectoryService::NewStub(Channel(kSupervisor))
                         ->CreateOrganisation(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }

  chv1::ChildRecord Get(const std::string& name) {
    chv1::GetChildRecordRequest req;
    req.set_name(name);
    chv1::ChildRecord out;
    Children(kSupervisor)->GetChildRecord(Ctx().get(), req, &out);
    return out;
  }

  void Grant(const std::string& who, bool granted) {
    chv1::SetChildProtectionGrantRequest req;
    req.set_identity(who);
    req.set_granted(granted);
    req.set_reason("psicóloga del consulado, capacitada en entrevistas a niñas y niños");
    chv1::ChildProtectionGrant out;
    ASSERT_TRUE(Children(kSupervisor)->SetChildProtectionGrant(Ctx().get(), req, &out).ok());
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  enlace::node::v1::NodeConfig config_;
  std::unique_ptr<node::Node> node_;
};

TEST_F(ChildrenTest, TheGrantDecidesWhoSeesTheContent) {
  const std::string kase = CaseOf("Rosa Amalia", "2011-04-02");
  chv1::CreateChildRecordRequest create;
  *create.mutable_record() = Facts(kase);
  chv1::ChildRecord r;
  // Without the grant an officer of the case's post cannot write the record.
  EXPECT_EQ(Children(kPlainOfficer)->CreateChildRecord(Ctx().get(), create, &r).error_code(),
            grpc::PERMISSION_DENIED);
  Grant(kGranted, true);
  ASSERT_TRUE(Children(kGranted)->CreateChildRecord(Ctx().get(), create, &r).ok());
  EXPECT_EQ(r.state(), chv1::WORKFLOW_STATE_NEW);
  EXPECT_EQ(r.post(), "MX-TAP");
  // One record per case.
  chv1::ChildRecord again;
  EXPECT_EQ(Children(kSupervisor)->CreateChildRecord(Ctx().get(), create, &again).error_code(),
            grpc::ALREADY_EXISTS);
  chv1::GetChildRecordRequest get;
  get.set_name(r.name());
  chv1::ChildRecord seen;
  // The plain officer of the post learns that it exists and its state, nothing more.
  ASSERT_TRUE(Children(kPlainOfficer)->GetChildRecord(Ctx().get(), get, &seen).ok());
  EXPECT_TRUE(seen.content_withheld());
  EXPECT_EQ(seen.state(), chv1::WORKFLOW_STATE_NEW);
  EXPECT_TRUE(seen.legal_representative().empty());
  EXPECT_EQ(seen.care_size(), 0);
  // Another post's officer, even granted, does not see another post's child.
  Grant(kOtherPost, true);
  EXPECT_EQ(Children(kOtherPost)->GetChildRecord(Ctx().get(), get, &seen).error_code(),
            grpc::PERMISSION_DENIED);
  // Operators, auditors and the secretariat are refused by the policy.
  for (const char* role : {"operator", "auditor", "secretariat"}) {
    const std::string who = absl::StrCat("spiffe://mx.enlace.example/role/", role, "/user/x");
    EXPECT_EQ(Children(who)->GetChildRecord(Ctx().get(), get, &seen).error_code(),
              grpc::PERMISSION_DENIED)
        << role;
  }
  ASSERT_TRUE(Children(kGranted)->GetChildRecord(Ctx().get(), get, &seen).ok());
  EXPECT_FALSE(seen.content_withheld());
  EXPECT_EQ(seen.care(0).caregiver(), "Albergue Belén, hermana Lucía Mendoza");
  // Taking the grant back takes the content away.
  Grant(kGranted, false);
  ASSERT_TRUE(Children(kGranted)->GetChildRecord(Ctx().get(), get, &seen).ok());
  EXPECT_TRUE(seen.content_withheld());
  // Granting is for officers' identities only.
  chv1::SetChildProtectionGrantRequest bad;
  bad.set_identity(kOtherSupervisor);
  bad.set_granted(true);
  bad.set_reason("x");
  chv1::ChildProtectionGrant out;
  EXPECT_EQ(Children(kSupervisor)->SetChildProtectionGrant(Ctx().get(), bad, &out).error_code(),
            grpc::INVALID_ARGUMENT);
}

TEST_F(ChildrenTest, AnAdultsCaseGetsNoChildRecord) {
  const std::string adult = CaseOf("Marta", "1990-01-01");
  chv1::CreateChildRecordRequest create;
  *create.mutable_record() = Facts(adult);
  chv1::ChildRecord r;
  EXPECT_EQ(Children(kSupervisor)->CreateChildRecord(Ctx().get(), create, &r).error_code(),
            grpc::FAILED_PRECONDITION);
}

TEST_F(ChildrenTest, WorkflowDeterminationAndTracing) {
  auto sup = Children(kSupervisor);
  auto titular = Children(kOtherSupervisor);
  chv1::CreateChildRecordRequest create;
  *create.mutable_record() = Facts(CaseOf("Dulce", "2012-08-15"));
  chv1::ChildRecord r;
  ASSERT_TRUE(sup->CreateChildRecord(Ctx().get(), create, &r).ok());
  auto step = [&](chv1::ChildProtectionService::Stub& stub, chv1::WorkflowState to) {
    chv1::AdvanceChildRecordRequest req;
    req.set_name(r.name());
    req.set_etag(r.etag());
    req.set_to(to);
    chv1::ChildRecord out;
    grpc::Status s = stub.AdvanceChildRecord(Ctx().get(), req, &out);
    if (s.ok()) r = out;
    return s;
  };
  // A step the workflow does not have.
  EXPECT_EQ(step(*sup, chv1::WORKFLOW_STATE_HANDED_OVER).error_code(), grpc::FAILED_PRECONDITION);
  // A stale etag.
  chv1::AdvanceChildRecordRequest stale;
  stale.set_name(r.name());
  stale.set_etag("1");
  stale.set_to(chv1::WORKFLOW_STATE_ASSESSED);
  chv1::ChildRecord out;
  EXPECT_EQ(sup->AdvanceChildRecord(Ctx().get(), stale, &out).error_code(), grpc::ABORTED);
  ASSERT_TRUE(step(*sup, chv1::WORKFLOW_STATE_ASSESSED).ok());
  chv1::AddAssessmentRequest assess;
  assess.set_name(r.name());
  assess.set_etag(r.etag());
  *assess.mutable_assessment()->mutable_time() = ToProtoTime(absl::Now() - absl::Hours(1));
  assess.mutable_assessment()->set_risk(chv1::RISK_HIGH);
  assess.mutable_assessment()->set_recommendation("Reunificación con la abuela en Comitán");
  ASSERT_TRUE(sup->AddAssessment(Ctx().get(), assess, &r).ok());
  ASSERT_TRUE(step(*sup, chv1::WORKFLOW_STATE_CASE_PLAN).ok());
  // A return is planned only on an approved determination.
  EXPECT_EQ(step(*sup, chv1::WORKFLOW_STATE_RETURN_PLANNED).error_code(),
            grpc::FAILED_PRECONDITION);
  chv1::RequestDeterminationRequest det;
  det.set_name(r.name());
  det.set_etag(r.etag());
  det.mutable_determination()->set_situation(chv1::DETERMINATION_SITUATION_DURABLE_SOLUTION);
  det.mutable_determination()->set_decision(chv1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN);
  det.mutable_determination()->set_reasoning("Panel: DIF, consulado, ACNUR; la niña lo desea");
  ASSERT_TRUE(sup->RequestDetermination(Ctx().get(), det, &r).ok());
  EXPECT_EQ(r.state(), chv1::WORKFLOW_STATE_DETERMINATION_PENDING);
  // Four eyes: the requester does not decide; an officer never does.
  chv1::DecideDeterminationRequest decide;
  decide.set_name(r.name());
  decide.set_etag(r.etag());
  decide.set_approve(true);
  decide.set_note("Aprobado");
  EXPECT_EQ(sup->DecideDetermination(Ctx().get(), decide, &out).error_code(),
            grpc::PERMISSION_DENIED);
  Grant(kGranted, true);
  EXPECT_EQ(Children(kGranted)->DecideDetermination(Ctx().get(), decide, &out).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(titular->DecideDetermination(Ctx().get(), decide, &r).ok());
  EXPECT_EQ(r.state(), chv1::WORKFLOW_STATE_DETERMINATION_APPROVED);
  EXPECT_EQ(r.determination().status(), chv1::DETERMINATION_STATUS_APPROVED);
  EXPECT_EQ(r.determination().decided_by(), kOtherSupervisor);
  ASSERT_TRUE(step(*sup, chv1::WORKFLOW_STATE_SERVICES).ok());
  // A return is planned with SetReturnPlan, never by a step. The child is Mexican and returns
  // to this member's own authority (DIF), so this node answers its own handover.
  EXPECT_EQ(step(*sup, chv1::WORKFLOW_STATE_RETURN_PLANNED).error_code(),
            grpc::FAILED_PRECONDITION);
  const std::string dif = Org("Sistema Nacional DIF", dv1::SERVICE_CHILD_PROTECTION);
  const std::string shelter = Org("Albergue Belén", dv1::SERVICE_SHELTER);
  chv1::SetReturnPlanRequest plan;
  plan.set_name(r.name());
  plan.set_etag(r.etag());
  plan.mutable_plan()->set_receiving_country("MX");
  plan.mutable_plan()->set_authority(shelter);  // offers no child protection
  plan.mutable_plan()->set_reception_point("Módulo DIF, aeropuerto de Tapachula");
  plan.mutable_plan()->set_escort("oficial de protección Marta Ixcoy Tzul");
  *plan.mutable_plan()->mutable_handover_time() = ToProtoTime(absl::Now() + absl::Hours(30));
  EXPECT_EQ(sup->SetReturnPlan(Ctx().get(), plan, &out).error_code(), grpc::INVALID_ARGUMENT);
  plan.mutable_plan()->set_authority(dif);
  plan.mutable_plan()->set_receiving_country("GT");  // no federation: not a member here
  EXPECT_EQ(sup->SetReturnPlan(Ctx().get(), plan, &out).error_code(), grpc::INVALID_ARGUMENT);
  plan.mutable_plan()->set_receiving_country("MX");
  // The plain officer cannot plan it.
  EXPECT_EQ(Children(kPlainOfficer)->SetReturnPlan(Ctx().get(), plan, &out).error_code(),
            grpc::PERMISSION_DENIED);
  grpc::Status planned = sup->SetReturnPlan(Ctx().get(), plan, &r);
  ASSERT_TRUE(planned.ok()) << planned.error_message();
  EXPECT_EQ(r.state(), chv1::WORKFLOW_STATE_RETURN_PLANNED);
  EXPECT_EQ(r.return_plan().handover_state(), chv1::HANDOVER_STATE_PROPOSED);
  const std::string handover = r.return_plan().handover();
  auto answer = [&](chv1::ChildProtectionService::Stub& stub, chv1::HandoverState state,
                    const std::string& post) {
    chv1::RespondToHandoverRequest req;
    req.set_name(handover);
    req.set_state(state);
    req.set_post(post);
    chv1::Handover h;
    return stub.RespondToHandover(Ctx().get(), req, &h).error_code();
  };
  EXPECT_EQ(answer(*sup, chv1::HANDOVER_STATE_RECEIVED, ""), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(answer(*sup, chv1::HANDOVER_STATE_ACCEPTED, "GT-TAP"), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(answer(*Children(kPlainOfficer), chv1::HANDOVER_STATE_ACCEPTED, ""),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(answer(*sup, chv1::HANDOVER_STATE_ACCEPTED, "MX-TAP"), grpc::OK);
  // The acceptance reaches the child record asynchronously (its follow-up updates the return
  // plan): read the record once it has, or a step would race that update (ABORTED, stale etag).
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return Get(r.name()).return_plan().handover_state() == chv1::HANDOVER_STATE_ACCEPTED;
      },
      absl::Seconds(30)));
  // Not handed over before the child is received: no step does it.
  r = Get(r.name());
  EXPECT_EQ(step(*sup, chv1::WORKFLOW_STATE_HANDED_OVER).error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(step(*sup, chv1::WORKFLOW_STATE_SERVICES).error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(answer(*sup, chv1::HANDOVER_STATE_RECEIVED, ""), grpc::OK);
  EXPECT_EQ(answer(*sup, chv1::HANDOVER_STATE_DECLINED, ""), grpc::INVALID_ARGUMENT);
  ASSERT_TRUE(testing::WaitFor(
      [&] { return Get(r.name()).state() == chv1::WORKFLOW_STATE_HANDED_OVER; },
      absl::Seconds(30)));
  r = Get(r.name());
  EXPECT_EQ(r.return_plan().handover_state(), chv1::HANDOVER_STATE_RECEIVED);
  EXPECT_NE(r.return_plan().received_by().find("MX-TAP"), std::string::npos);
  ASSERT_TRUE(step(*sup, chv1::WORKFLOW_STATE_FOLLOW_UP).ok());
  // Tracing: entries move forward only (a proposed match may be found wrong).
  chv1::AddTracingEntryRequest trace;
  trace.set_name(r.name());
  trace.set_etag(r.etag());
  trace.mutable_entry()->set_relation("abuela");
  trace.mutable_entry()->set_name("Petrona Caal Xol");
  trace.mutable_entry()->set_last_place("Comitán de Domínguez");
  ASSERT_TRUE(sup->AddTracingEntry(Ctx().get(), trace, &r).ok());
  auto tracing = [&](chv1::TracingStatus status) {
    chv1::UpdateTracingEntryRequest req;
    req.set_name(r.name());
    req.set_etag(r.etag());
    req.set_id(1);
    req.set_status(status);
    chv1::ChildRecord o;
    grpc::Status s = sup->UpdateTracingEntry(Ctx().get(), req, &o);
    if (s.ok()) r = o;
    return s.error_code();
  };
  EXPECT_EQ(tracing(chv1::TRACING_STATUS_MATCH_PROPOSED), grpc::OK);
  EXPECT_EQ(tracing(chv1::TRACING_STATUS_OPEN), grpc::OK);
  EXPECT_EQ(tracing(chv1::TRACING_STATUS_VERIFIED), grpc::OK);
  EXPECT_EQ(tracing(chv1::TRACING_STATUS_MATCH_PROPOSED), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(r.tracing(0).status(), chv1::TRACING_STATUS_VERIFIED);

  // Nothing personal in clear anywhere in the store.
  ASSERT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  node_.reset();
  const std::string tree = testing::ReadTree(config_.data_dir());
  for (const char* secret :
       {"Petrona Caal Xol", "Comitán de Domínguez", "hermana Lucía Mendoza",
        "licenciada Yadira Ruiz", "la abuela en Comitán", "la niña lo desea",
        "Marta Ixcoy Tzul"}) {
    EXPECT_EQ(tree.find(secret), std::string::npos) << secret << " stored in clear";
  }
}

}  // namespace
}  // namespace enlace

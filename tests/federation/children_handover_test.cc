// A child's return handed over across two real nodes. Guatemala's consulate in Tapachula acts
// for an unaccompanied Honduran girl (Honduras has no consulate there); the panel's approved
// determination is to return her to Honduras, whose child-protection authority (DINAF, an
// entry of the shared directory) receives her. The handover carries only what DINAF needs;
// only Honduras answers it; its "received" moves Guatemala's record to HANDED_OVER, once, even
// when the Honduran node is SIGKILLed mid-handover; an erasure at Guatemala reaches Honduras's
// copy.
#include <signal.h>

#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/children/v1/children.grpc.pb.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace chv1 = ::enlace::children::v1;
namespace cv1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;

constexpr char kJefa[] = "role/supervisor/user/jefa";
constexpr char kTitular[] = "role/supervisor/user/titular";

class ChildrenHandoverTest : public FederationFixture {
 protected:
  void SetUp() override {
    Init({"GT", "HN"}, {"GT", "HN"});
    for (const char* c : {"GT", "HN"}) StartNode(c);
  }
  std::shared_ptr<grpc::Channel> Channel(const std::string& country, const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return MakeChannel(m.api_port, m.pki->ca(), &*cert);
  }
  std::unique_ptr<chv1::ChildProtectionService::Stub> Children(const std::string& country,
                                                                const std::string& who = kJefa) {
    return chv1::ChildProtectionService::NewStub(Channel(country, who));
  }

  // The girl's case at GT-TAP; returns her person and case names.
  std::pair<std::string, std::string> ChildCase() {
    auto ch = Channel("GT", kJefa);
    cv1::CreatePersonRequest cp;
    cp.set_parent("countries/GT");
    auto* p = cp.mutable_person();
    p->set_given_names("Dilcia Marisol");
    p->set_family_names("Arzú Castillo");
    p->set_sex(cv1::SEX_FEMALE);
    p->set_birth_date("2012-03-09");
    p->add_nationalities("HN");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    cv1::Person person;
    EXPECT_TRUE(cv1::PersonService::NewStub(ch)->CreatePerson(Deadline().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/GT");
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post("GT-TAP");
    c->set_host_country("MX");
    c->set_place("Tapachula, Chiapas");
    c->set_category(cv1::CATEGORY_MIGRATION);
    c->set_subtype(cv1::SUBTYPE_IMMIGRATION_DETENTION);
    c->set_legal_basis(cv1::LEGAL_BASIS_CHILD_BEST_INTEREST);
    cv1::Case kase;
    grpc::Status s = cv1::CaseService::NewStub(ch)->CreateCase(Deadline().get(), cc, &kase);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {person.name(), kase.name()};
  }

  // The record taken to SERVICES on an approved determination to return her to origin.
  chv1::ChildRecord ReadyForReturn(const std::string& kase) {
    auto jefa = Children("GT", kJefa);
    chv1::CreateChildRecordRequest create;
    chv1::ChildRecord* in = create.mutable_record();
    in->set_case_(kase);
    in->set_accompaniment(chv1::ACCOMPANIMENT_UNACCOMPANIED);
    in->set_age_basis(chv1::AGE_BASIS_DOCUMENT);
    in->add_concerns(chv1::CONCERN_TRAFFICKING_OR_FORCED_LABOUR);
    auto* care = in->add_care();
    care->set_type(chv1::CARE_TYPE_SHELTER);
    care->set_caregiver("Albergue Jesús el Buen Pastor, hermana Olga Sánchez");
    care->set_authority("DIF Chiapas");
    in->set_legal_representative("Procuradora Yadira Ruiz Pech");
    in->set_tracing_consent(true);
    in->set_assent(chv1::ASSENT_GIVEN);
    chv1::ChildRecord r;
    EXPECT_TRUE(jefa->CreateChildRecord(Deadline().get(), create, &r).ok());
    auto advance = [&](chv1::WorkflowState to) {
      chv1::AdvanceChildRecordRequest a;
      a.set_name(r.name());
      a.set_etag(r.etag());
      a.set_to(to);
      grpc::Status s = jefa->AdvanceChildRecord(Deadline().get(), a, &r);
      EXPECT_TRUE(s.ok()) << s.error_message();
    };
    advance(chv1::WORKFLOW_STATE_ASSESSED);
    chv1::AddAssessmentRequest assess;
    assess.set_name(r.name());
    assess.set_etag(r.etag());
    *assess.mutable_assessment()->mutable_time() = ToProtoTime(absl::Now() - absl::Hours(2));
    assess.mutable_assessment()->set_risk(chv1::RISK_HIGH);
    assess.mutable_assessment()->set_recommendation("Red de trata identificada en la ruta");
    EXPECT_TRUE(jefa->AddAssessment(Deadline().get(), assess, &r).ok());
    advance(chv1::WORKFLOW_STATE_CASE_PLAN);
    chv1::RequestDeterminationRequest det;
    det.set_name(r.name());
    det.set_etag(r.etag());
    det.mutable_determination()->set_situation(chv1::DETERMINATION_SITUATION_DURABLE_SOLUTION);
    det.mutable_determination()->set_decision(chv1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN);
    det.mutable_determination()->set_reasoning("Panel: la abuela materna la espera en Tela");
    EXPECT_TRUE(jefa->RequestDetermination(Deadline().get(), det, &r).ok());
    chv1::DecideDeterminationRequest decide;
    decide.set_name(r.name());
    decide.set_etag(r.etag());
    decide.set_approve(true);
    EXPECT_TRUE(Children("GT", kTitular)->DecideDetermination(Deadline().get(), decide, &r).ok());
    advance(chv1::WORKFLOW_STATE_SERVICES);
    return r;
  }

  // DINAF, Honduras's child-protection authority, as HN publishes it; once GT holds it.
  std::string Dinaf() {
    dv1::CreateOrganisationRequest req;
    req.set_parent("countries/HN");
    auto* o = req.mutable_organisation();
    o->set_display_name("Dirección de Niñez, Adolescencia y Familia (DINAF)");
    o->set_type(dv1::ORGANISATION_TYPE_GOVERNMENT_AGENCY);
    o->add_services(dv1::SERVICE_CHILD_PROTECTION);
    o->add_areas("HN");
    o->add_languages("es");
    dv1::Organisation out;
    auto ctx = Deadline();
    ctx->set_wait_for_ready(true);
    EXPECT_TRUE(Directory("HN").CreateOrganisation(ctx.get(), req, &out).ok());
    EXPECT_TRUE(WaitFor([&] { return ListOrgs("GT", "HN").count(out.name()) == 1; },
                        absl::Seconds(60)));
    return out.name();
  }

  chv1::SetReturnPlanRequest Plan(const chv1::ChildRecord& r, const std::string& authority) {
    chv1::SetReturnPlanRequest req;
    req.set_name(r.name());
    req.set_etag(r.etag());
    auto* p = req.mutable_plan();
    p->set_receiving_country("HN");
    p->set_authority(authority);
    p->set_reception_point("Centro de Atención al Migrante Retornado, San Pedro Sula");
    p->set_escort("Oficial de protección Marta Ixcoy Tzul");
    *p->mutable_handover_time() = ToProtoTime(absl::Now() + absl::Hours(48));
    return req;
  }

  chv1::ChildRecord Record(const std::string& name) {
    chv1::GetChildRecordRequest g;
    g.set_name(name);
    chv1::ChildRecord r;
    Children("GT")->GetChildRecord(Deadline().get(), g, &r);
    return r;
  }
  grpc::Status GetHandover(const std::string& country, const std::string& who,
                           const std::string& name, chv1::Handover* out) {
    chv1::GetHandoverRequest g;
    g.set_name(name);
    return Children(country, who)->GetHandover(Deadline().get(), g, out);
  }
  grpc::Status Answer(const std::string& country, const std::string& who,
                      const std::string& name, chv1::HandoverState state,
                      const std::string& post = "", const std::string& note = "") {
    chv1::RespondToHandoverRequest req;
    req.set_name(name);
    req.set_state(state);
    req.set_post(post);
    req.set_note(note);
    chv1::Handover out;
    return Children(country, who)->RespondToHandover(Deadline().get(), req, &out);
  }
  int IncomingAtHn() {
    chv1::ListHandoversRequest l;
    l.set_incoming(true);
    chv1::ListHandoversResponse out;
    if (!Children("HN")->ListHandovers(Deadline().get(), l, &out).ok()) return -1;
    return out.handovers_size();
  }
};

TEST_F(ChildrenHandoverTest, OnlyTheReceiverConfirmsAndAKilledReceiverHandsOverOnce) {
  const auto [person, kase] = ChildCase();
  chv1::ChildRecord r = ReadyForReturn(kase);
  const std::string dinaf = Dinaf();
  // A return to origin goes to a nationality of the child.
  chv1::SetReturnPlanRequest wrong = Plan(r, dinaf);
  wrong.mutable_plan()->set_receiving_country("GT");
  chv1::ChildRecord out;
  EXPECT_FALSE(Children("GT")->SetReturnPlan(Deadline().get(), wrong, &out).ok());
  grpc::Status planned = Children("GT")->SetReturnPlan(Deadline().get(), Plan(r, dinaf), &r);
  ASSERT_TRUE(planned.ok()) << planned.error_message();
  const std::string handover = r.return_plan().handover();
  ASSERT_EQ(r.state(), chv1::WORKFLOW_STATE_RETURN_PLANNED);

  // Honduras's node is killed while the handover is on its way, and restarted: it arrives once.
  ASSERT_EQ(StopNode("HN", SIGKILL), 128 + SIGKILL);
  StartNode("HN");
  ASSERT_TRUE(WaitFor([&] { return IncomingAtHn() == 1; }, absl::Seconds(60)));

  // Minimum disclosure: who to receive, where and when; nothing of the record's content.
  chv1::Handover h;
  ASSERT_TRUE(GetHandover("HN", kJefa, handover, &h).ok());
  EXPECT_EQ(h.given_names(), "Dilcia Marisol");
  EXPECT_EQ(h.authority(), dinaf);
  EXPECT_EQ(h.state(), chv1::HANDOVER_STATE_PROPOSED);
  const std::string wire = h.SerializeAsString();
  for (const char* secret : {"Buen Pastor", "Yadira", "Red de trata", "abuela materna"}) {
    EXPECT_EQ(wire.find(secret), std::string::npos) << secret << " reached the receiver";
  }
  // Before a post takes it, Honduras's officers do not see it; a granted officer neither.
  const std::string hn_officer = "role/officer/post/HN-SPS/user/trabajadora";
  EXPECT_EQ(GetHandover("HN", hn_officer, handover, &h).error_code(), grpc::PERMISSION_DENIED);
  // The sender never answers its own handover (a stolen sender's word is not a receipt).
  EXPECT_EQ(Answer("GT", kJefa, handover, chv1::HANDOVER_STATE_RECEIVED).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(Answer("HN", kJefa, handover, chv1::HANDOVER_STATE_RECEIVED).error_code(),
            grpc::FAILED_PRECONDITION);  // not accepted yet
  ASSERT_TRUE(Answer("HN", kJefa, handover, chv1::HANDOVER_STATE_ACCEPTED, "HN-SPS").ok());
  ASSERT_TRUE(WaitFor(
      [&] { return Record(r.name()).return_plan().handover_state() == chv1::HANDOVER_STATE_ACCEPTED; },
      absl::Seconds(60)));
  // HN-SPS's officer needs the child-protection grant of its own node.
  EXPECT_EQ(GetHandover("HN", hn_officer, handover, &h).error_code(), grpc::PERMISSION_DENIED);
  chv1::SetChildProtectionGrantRequest grant;
  grant.set_identity(absl::StrCat("spiffe://hn.enlace.example/", hn_officer));
  grant.set_granted(true);
  grant.set_reason("trabajadora social de la DINAF en el CAMR");
  chv1::ChildProtectionGrant granted;
  ASSERT_TRUE(Children("HN")->SetChildProtectionGrant(Deadline().get(), grant, &granted).ok());
  ASSERT_TRUE(GetHandover("HN", hn_officer, handover, &h).ok());

  // Received, and the receiver is killed at once: GT's record is handed over exactly once.
  ASSERT_TRUE(Answer("HN", hn_officer, handover, chv1::HANDOVER_STATE_RECEIVED, "",
                     "Recibida por DINAF; en buen estado")
                  .ok());
  ASSERT_EQ(StopNode("HN", SIGKILL), 128 + SIGKILL);
  StartNode("HN");
  ASSERT_TRUE(WaitFor(
      [&] { return Record(r.name()).state() == chv1::WORKFLOW_STATE_HANDED_OVER; },
      absl::Seconds(60)));
  r = Record(r.name());
  EXPECT_EQ(r.return_plan().handover_state(), chv1::HANDOVER_STATE_RECEIVED);
  EXPECT_EQ(r.return_plan().answer_note(), "Recibida por DINAF; en buen estado");
  EXPECT_NE(r.return_plan().received_by().find("HN-SPS"), std::string::npos);
  EXPECT_EQ(IncomingAtHn(), 1);
  // Nothing left stuck on either link.
  for (const char* c : {"GT", "HN"}) {
    const auto status = Status(c);
    for (const auto& peer : status.peers()) {
      EXPECT_EQ(peer.quarantined(), 0) << c << " -> " << peer.country();
    }
  }

  // The girl's data erased at Guatemala: Honduras's copy loses its personal part too.
  cv1::ErasePersonRequest erase;
  erase.set_name(person);
  erase.set_reason("Solicitud de supresión de su representante legal, expediente 2026-114");
  cv1::ErasePersonResponse erased;
  grpc::Status s = cv1::PersonService::NewStub(Channel("GT", kJefa))
                       ->ErasePerson(Deadline().get(), erase, &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(WaitFor(
      [&] {
        chv1::Handover now;
        return GetHandover("HN", kJefa, handover, &now).ok() && now.personal_data_purged() &&
               now.given_names().empty();
      },
      absl::Seconds(60)));

  // Neither node's log ever held who she is, who cares for her or who escorted her.
  for (const char* c : {"GT", "HN"}) {
    std::ifstream in(nodes_.at(c)->log_path());
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(log.empty()) << c;
    for (const char* secret : {"Dilcia", "Arzú Castillo", "Buen Pastor", "Ixcoy Tzul", "Yadira"}) {
      EXPECT_EQ(log.find(secret), std::string::npos) << secret << " in " << c << "'s log";
    }
  }
}

}  // namespace
}  // namespace enlace::testing

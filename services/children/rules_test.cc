#include "services/children/rules.h"

#include "common/time/proto_time.h"
#include "gtest/gtest.h"

namespace enlace::children {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilDay(2026, 11, 30), absl::UTCTimeZone());

TEST(ChildRulesTest, OnlyTheWorkflowsStepsAreAllowed) {
  EXPECT_TRUE(CheckStep(v1::WORKFLOW_STATE_NEW, v1::WORKFLOW_STATE_ASSESSED).ok());
  EXPECT_TRUE(CheckStep(v1::WORKFLOW_STATE_CASE_PLAN, v1::WORKFLOW_STATE_SERVICES).ok());
  EXPECT_TRUE(CheckStep(v1::WORKFLOW_STATE_CLOSED, v1::WORKFLOW_STATE_REOPENED).ok());
  EXPECT_EQ(CheckStep(v1::WORKFLOW_STATE_NEW, v1::WORKFLOW_STATE_HANDED_OVER).code(),
            absl::StatusCode::kFailedPrecondition);
  // A determination is approved only by DecideDetermination.
  const absl::Status s =
      CheckStep(v1::WORKFLOW_STATE_CASE_PLAN, v1::WORKFLOW_STATE_DETERMINATION_APPROVED);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("DecideDetermination"), std::string::npos);
  EXPECT_FALSE(CheckStep(v1::WORKFLOW_STATE_CLOSED, v1::WORKFLOW_STATE_SERVICES).ok());
}

TEST(ChildRulesTest, OverriddenAssentNeedsAReason) {
  v1::ChildRecord r;
  r.set_accompaniment(v1::ACCOMPANIMENT_UNACCOMPANIED);
  r.set_age_basis(v1::AGE_BASIS_DECLARED);
  r.set_assent(v1::ASSENT_OVERRIDDEN);
  r.mutable_views_heard()->set_language("mam");
  *r.mutable_views_heard()->mutable_time() = ToProtoTime(kNow - absl::Hours(2));
  FieldViolations v;
  ValidateFacts(r, kNow, v, "record.");
  ASSERT_EQ(v.violations().size(), 1u);
  EXPECT_EQ(v.violations()[0].field, "record.override_reason");
}

TEST(ChildRulesTest, PresumptionOfMinorityForPartialBirthDates) {
  enlace::cases::v1::Person p;
  p.set_birth_date("2008");  // 18 on 1 January 2026 at the earliest, 31 December at the latest
  EXPECT_TRUE(IsUnder18(p, kNow));
  p.set_birth_date("2008-11");
  EXPECT_FALSE(IsUnder18(p, kNow));  // 18 on 30 November 2026 at the latest
  p.set_birth_date("2008-12-01");
  EXPECT_TRUE(IsUnder18(p, kNow));
  p.set_birth_date("1990");
  EXPECT_FALSE(IsUnder18(p, kNow));
  p.clear_birth_date();
  p.set_age_band(enlace::cases::v1::AGE_BAND_ADOLESCENT_12_17);
  EXPECT_TRUE(IsUnder18(p, kNow));
}

TEST(ChildRulesTest, WithheldShowsOnlyThatItExists) {
  v1::ChildRecord r;
  r.set_name("countries/MX/childRecords/x");
  r.set_case_("countries/MX/cases/y");
  r.set_state(v1::WORKFLOW_STATE_SERVICES);
  r.set_legal_representative("Procuraduría");
  r.add_tracing()->set_name("Juana");
  const v1::ChildRecord w = Withheld(r);
  EXPECT_TRUE(w.content_withheld());
  EXPECT_EQ(w.state(), v1::WORKFLOW_STATE_SERVICES);
  EXPECT_TRUE(w.legal_representative().empty());
  EXPECT_EQ(w.tracing_size(), 0);
}


// A record in SERVICES on an approved determination `decision`, of a child of `nationality`.
v1::ChildRecord Approved(v1::Decision decision) {
  v1::ChildRecord r;
  r.set_state(v1::WORKFLOW_STATE_SERVICES);
  r.set_post("GT-TAP");
  r.set_accompaniment(v1::ACCOMPANIMENT_UNACCOMPANIED);
  r.add_concerns(v1::CONCERN_TRAFFICKING_OR_FORCED_LABOUR);
  r.add_care()->set_caregiver("Albergue Jesús el Buen Pastor, hermana Olga");
  r.set_legal_representative("Procuradora Yadira Ruiz");
  r.add_assessments()->set_recommendation("riesgo alto en el barrio de origen");
  r.mutable_determination()->set_status(v1::DETERMINATION_STATUS_APPROVED);
  r.mutable_determination()->set_decision(decision);
  r.mutable_determination()->set_reasoning("el panel escuchó a la niña");
  r.add_tracing()->set_name("Petrona Caal Xol");
  return r;
}

TEST(ChildRulesTest, ReturnAndHandoverStepsAreNotTakenByAdvance) {
  v1::ChildRecord r = Approved(v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN);
  EXPECT_EQ(CheckAdvance(r, v1::WORKFLOW_STATE_RETURN_PLANNED).code(),
            absl::StatusCode::kFailedPrecondition);
  r.set_state(v1::WORKFLOW_STATE_RETURN_PLANNED);
  EXPECT_EQ(CheckAdvance(r, v1::WORKFLOW_STATE_HANDED_OVER).code(),
            absl::StatusCode::kFailedPrecondition);
  // Back to services only once the receiving member declined.
  r.mutable_return_plan()->set_handover_state(v1::HANDOVER_STATE_ACCEPTED);
  EXPECT_EQ(CheckAdvance(r, v1::WORKFLOW_STATE_SERVICES).code(),
            absl::StatusCode::kFailedPrecondition);
  r.mutable_return_plan()->set_handover_state(v1::HANDOVER_STATE_DECLINED);
  EXPECT_TRUE(CheckAdvance(r, v1::WORKFLOW_STATE_SERVICES).ok());
  r.set_state(v1::WORKFLOW_STATE_HANDED_OVER);
  EXPECT_TRUE(CheckAdvance(r, v1::WORKFLOW_STATE_FOLLOW_UP).ok());
}

TEST(ChildRulesTest, AReturnToOriginGoesToANationalityOfTheChild) {
  enlace::cases::v1::Person child;
  child.add_nationalities("HN");
  EXPECT_TRUE(
      CheckReturnAllowed(Approved(v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN), child, "HN").ok());
  EXPECT_EQ(
      CheckReturnAllowed(Approved(v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN), child, "GT").code(),
      absl::StatusCode::kFailedPrecondition);
  // Reunification in a third country goes wherever the family is.
  EXPECT_TRUE(
      CheckReturnAllowed(Approved(v1::DECISION_REUNIFY_IN_HOST_OR_THIRD_COUNTRY), child, "US")
          .ok());
  EXPECT_FALSE(CheckReturnAllowed(Approved(v1::DECISION_LOCAL_CARE), child, "HN").ok());
  v1::ChildRecord pending = Approved(v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN);
  pending.mutable_determination()->set_status(v1::DETERMINATION_STATUS_PENDING);
  EXPECT_FALSE(CheckReturnAllowed(pending, child, "HN").ok());
  v1::ChildRecord assessed = Approved(v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN);
  assessed.set_state(v1::WORKFLOW_STATE_ASSESSED);
  EXPECT_FALSE(CheckReturnAllowed(assessed, child, "HN").ok());
}

TEST(ChildRulesTest, APlanNamesTheReceivingCountrysAuthority) {
  v1::ReturnPlan plan;
  plan.set_receiving_country("HN");
  plan.set_authority("countries/HN/organisations/01J0DINAF");
  plan.set_reception_point("CAMR San Pedro Sula");
  *plan.mutable_handover_time() = ToProtoTime(kNow + absl::Hours(48));
  FieldViolations ok;
  ValidateReturnPlan(plan, kNow, ok);
  EXPECT_TRUE(ok.empty()) << ok.ToStatus();
  plan.set_authority("countries/GT/organisations/01J0PGN");  // another member's authority
  plan.clear_reception_point();
  *plan.mutable_handover_time() = ToProtoTime(kNow + absl::Hours(24 * 400));
  FieldViolations bad;
  ValidateReturnPlan(plan, kNow, bad);
  const std::string message(bad.ToStatus().message());
  for (const char* field : {"plan.authority", "plan.reception_point", "plan.handover_time"}) {
    EXPECT_NE(message.find(field), std::string::npos) << field << " in " << message;
  }
}

TEST(ChildRulesTest, TheReceivingMemberAnswersForwardOnly) {
  EXPECT_TRUE(CheckHandoverAnswer(v1::HANDOVER_STATE_PROPOSED, v1::HANDOVER_STATE_ACCEPTED).ok());
  EXPECT_TRUE(CheckHandoverAnswer(v1::HANDOVER_STATE_PROPOSED, v1::HANDOVER_STATE_DECLINED).ok());
  EXPECT_TRUE(CheckHandoverAnswer(v1::HANDOVER_STATE_ACCEPTED, v1::HANDOVER_STATE_RECEIVED).ok());
  EXPECT_TRUE(CheckHandoverAnswer(v1::HANDOVER_STATE_ACCEPTED, v1::HANDOVER_STATE_DECLINED).ok());
  // Received without having accepted, or anything after a final answer: refused.
  EXPECT_FALSE(CheckHandoverAnswer(v1::HANDOVER_STATE_PROPOSED, v1::HANDOVER_STATE_RECEIVED).ok());
  EXPECT_FALSE(CheckHandoverAnswer(v1::HANDOVER_STATE_DECLINED, v1::HANDOVER_STATE_ACCEPTED).ok());
  EXPECT_FALSE(CheckHandoverAnswer(v1::HANDOVER_STATE_RECEIVED, v1::HANDOVER_STATE_DECLINED).ok());
}

// Minimum disclosure: the receiving member learns who to receive, where and when; nothing of
// the record's concerns, care, assessments, determination or tracing.
TEST(ChildRulesTest, AHandoverCarriesNothingOfTheRecordsContent) {
  enlace::cases::v1::Person child;
  child.set_given_names("Dilcia Marisol");
  child.set_family_names("Arzú");
  child.set_birth_date("2013-05");
  child.set_sex(enlace::cases::v1::SEX_FEMALE);
  child.add_nationalities("HN");
  child.mutable_contact()->set_phone("+52 962 100 0000");
  v1::ReturnPlan plan;
  plan.set_receiving_country("HN");
  plan.set_authority("countries/HN/organisations/01J0DINAF");
  plan.set_reception_point("CAMR San Pedro Sula");
  plan.set_escort("oficial de protección Marta Ixcoy");
  const v1::ChildRecord r = Approved(v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN);
  const v1::Handover h = HandoverFor(child, r, plan);
  EXPECT_EQ(h.given_names(), "Dilcia Marisol");
  EXPECT_EQ(h.from_post(), "GT-TAP");
  EXPECT_EQ(h.state(), v1::HANDOVER_STATE_PROPOSED);
  EXPECT_TRUE(IsWellFormedOffer(h));
  v1::Handover huge = h;
  huge.set_reception_point(std::string(100000, 'x'));  // what a stolen key might send
  EXPECT_FALSE(IsWellFormedOffer(huge));
  const std::string wire = h.SerializeAsString();
  for (const char* secret : {"Albergue", "Yadira", "riesgo alto", "el panel", "Petrona",
                             "+52 962"}) {
    EXPECT_EQ(wire.find(secret), std::string::npos) << secret << " left the node";
  }
}

}  // namespace
}  // namespace enlace::children

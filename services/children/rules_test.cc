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

}  // namespace
}  // namespace enlace::children

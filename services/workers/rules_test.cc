#include "services/workers/rules.h"

#include "gtest/gtest.h"

namespace enlace::workers {
namespace {

TEST(WorkersRulesTest, OnlyTheClaimTablesStepsAreAllowed) {
  EXPECT_TRUE(CheckClaimStep(v1::CLAIM_STATUS_INTAKE, v1::CLAIM_STATUS_DOCUMENTED).ok());
  EXPECT_TRUE(CheckClaimStep(v1::CLAIM_STATUS_DOCUMENTED, v1::CLAIM_STATUS_FILED).ok());
  EXPECT_TRUE(CheckClaimStep(v1::CLAIM_STATUS_FILED, v1::CLAIM_STATUS_INVESTIGATION).ok());
  EXPECT_TRUE(CheckClaimStep(v1::CLAIM_STATUS_MEDIATION, v1::CLAIM_STATUS_PARTIAL).ok());
  EXPECT_TRUE(CheckClaimStep(v1::CLAIM_STATUS_PARTIAL, v1::CLAIM_STATUS_RECOVERED).ok());
  EXPECT_TRUE(CheckClaimStep(v1::CLAIM_STATUS_DISMISSED, v1::CLAIM_STATUS_LITIGATION).ok());
  // Withdrawal from any open status, never from a final one.
  for (auto from : {v1::CLAIM_STATUS_INTAKE, v1::CLAIM_STATUS_FILED, v1::CLAIM_STATUS_LITIGATION,
                    v1::CLAIM_STATUS_PARTIAL, v1::CLAIM_STATUS_DISMISSED}) {
    EXPECT_TRUE(CheckClaimStep(from, v1::CLAIM_STATUS_WITHDRAWN).ok()) << from;
  }
  EXPECT_FALSE(CheckClaimStep(v1::CLAIM_STATUS_RECOVERED, v1::CLAIM_STATUS_WITHDRAWN).ok());
  EXPECT_FALSE(CheckClaimStep(v1::CLAIM_STATUS_WITHDRAWN, v1::CLAIM_STATUS_WITHDRAWN).ok());
  // No skipping the documentation, no going back, nothing after a final status.
  const absl::Status s = CheckClaimStep(v1::CLAIM_STATUS_INTAKE, v1::CLAIM_STATUS_FILED);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("CLAIM_STATUS_INTAKE"), std::string::npos);
  EXPECT_NE(s.message().find("CLAIM_STATUS_FILED"), std::string::npos);
  EXPECT_FALSE(CheckClaimStep(v1::CLAIM_STATUS_FILED, v1::CLAIM_STATUS_DOCUMENTED).ok());
  EXPECT_FALSE(CheckClaimStep(v1::CLAIM_STATUS_RECOVERED, v1::CLAIM_STATUS_LITIGATION).ok());
  EXPECT_FALSE(CheckClaimStep(v1::CLAIM_STATUS_WITHDRAWN, v1::CLAIM_STATUS_INTAKE).ok());
  EXPECT_FALSE(CheckClaimStep(v1::CLAIM_STATUS_INTAKE, v1::CLAIM_STATUS_INTAKE).ok());
}

TEST(WorkersRulesTest, DatesCurrenciesAndRegistryIds) {
  absl::CivilDay d;
  EXPECT_TRUE(ParseDate("2027-02-28", &d));
  EXPECT_FALSE(ParseDate("2027-02-30", &d));
  EXPECT_FALSE(ParseDate("2027-2-3", &d));
  EXPECT_TRUE(IsCurrencyCode("CAD"));
  EXPECT_FALSE(IsCurrencyCode("cad"));
  EXPECT_FALSE(IsCurrencyCode("XXX"));
  EXPECT_TRUE(IsRegistryId("H-300-26012-123456"));
  EXPECT_TRUE(IsRegistryId("9876543"));
  EXPECT_FALSE(IsRegistryId("a|b"));
  EXPECT_FALSE(IsRegistryId(""));
  EXPECT_FALSE(IsRegistryId(std::string(65, '1')));
}

v1::Employment GoodEmployment() {
  v1::Employment e;
  e.set_programme(v1::PROGRAMME_CA_SAWP);
  e.set_permit_number("WP123456789");
  e.mutable_employer()->set_name("Granja Ejemplo Inc.");
  e.mutable_employer()->set_registry_id("9876543");
  e.mutable_employer()->set_worksite_area("CA-ON");
  auto* c = e.mutable_contract();
  c->set_start_date("2027-04-01");
  c->set_end_date("2027-11-15");
  c->set_promised_hours_per_week(40);
  c->mutable_wage()->set_currency_code("CAD");
  c->mutable_wage()->set_amount_minor(1735);
  c->set_wage_unit(v1::WAGE_UNIT_HOUR);
  return e;
}

TEST(WorkersRulesTest, EmploymentValidationNamesTheFields) {
  FieldViolations ok;
  ValidateEmployment(GoodEmployment(), ok);
  EXPECT_TRUE(ok.empty()) << ok.ToStatus();
  v1::Employment e = GoodEmployment();
  e.mutable_contract()->set_end_date("2027-03-01");
  e.mutable_contract()->mutable_wage()->set_currency_code("CA$");
  e.mutable_employer()->set_worksite_area("Ontario");
  e.clear_permit_number();
  FieldViolations v;
  ValidateEmployment(e, v);
  std::set<std::string> fields;
  for (const auto& f : v.violations()) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{
                        "employment.contract.end_date", "employment.contract.wage.currency_code",
                        "employment.employer.worksite_area", "employment.permit_number"}));
}

TEST(WorkersRulesTest, RecoveryIsATotalInTheClaimedCurrency) {
  v1::LabourClaim claim;
  claim.mutable_claimed()->set_currency_code("USD");
  claim.mutable_claimed()->set_amount_minor(420000);
  claim.mutable_recovered()->set_currency_code("USD");
  claim.mutable_recovered()->set_amount_minor(100000);
  v1::Money m;
  m.set_currency_code("USD");
  m.set_amount_minor(250000);
  FieldViolations ok;
  ValidateRecovery(claim, v1::CLAIM_STATUS_RECOVERED, m, ok);
  EXPECT_TRUE(ok.empty());
  m.set_currency_code("MXN");
  m.set_amount_minor(50000);
  FieldViolations v;
  ValidateRecovery(claim, v1::CLAIM_STATUS_PARTIAL, m, v);
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "recovered.currency_code");
  EXPECT_EQ(v.violations()[1].field, "recovered.amount_minor");
  // An amount belongs only to a step that recovers.
  FieldViolations w;
  ValidateRecovery(claim, v1::CLAIM_STATUS_FILED, m, w);
  ASSERT_EQ(w.violations().size(), 1u);
  EXPECT_EQ(w.violations()[0].field, "recovered");
}

TEST(WorkersRulesTest, OutreachEventsAreCountsThatAddUp) {
  const absl::CivilDay today(2026, 11, 30);
  v1::OutreachEvent e;
  e.set_date("2026-08-31");
  e.set_kind(v1::OUTREACH_KIND_LABOR_RIGHTS_WEEK);
  e.set_attendees(120);
  e.set_cases_identified(3);
  FieldViolations ok;
  ValidateOutreachEvent(e, today, ok);
  EXPECT_TRUE(ok.empty());
  e.set_date("2027-08-31");
  e.set_cases_identified(121);
  FieldViolations v;
  ValidateOutreachEvent(e, today, v);
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "event.date");
  EXPECT_EQ(v.violations()[1].field, "event.cases_identified");
}

TEST(WorkersRulesTest, APeerWritesItsOwnCountsOnly) {
  v1::CountsReport r;
  r.set_member("GT");
  r.set_kind(v1::SUBJECT_KIND_EMPLOYER);
  r.set_subject_id("H-300-26012-123456");
  r.set_revision(3);
  auto* c = r.add_counts();
  c->set_type(v1::CLAIM_TYPE_UNPAID_WAGES);
  c->set_count(2);
  EXPECT_TRUE(ValidateCountsReport(r, "GT").ok());
  // Sent by MX as GT's counts: refused.
  EXPECT_EQ(ValidateCountsReport(r, "MX").code(), absl::StatusCode::kInvalidArgument);
  v1::CountsReport repeated = r;
  *repeated.add_counts() = *c;
  EXPECT_FALSE(ValidateCountsReport(repeated, "GT").ok());
  v1::CountsReport negative = r;
  negative.mutable_counts(0)->set_count(-1);
  EXPECT_FALSE(ValidateCountsReport(negative, "GT").ok());
  v1::CountsReport bad_subject = r;
  bad_subject.set_subject_id("x|GT");
  EXPECT_FALSE(ValidateCountsReport(bad_subject, "GT").ok());
  v1::CountsReport no_revision = r;
  no_revision.set_revision(0);
  EXPECT_FALSE(ValidateCountsReport(no_revision, "GT").ok());
}

}  // namespace
}  // namespace enlace::workers

#include "services/secretariat/rules.h"

#include "gtest/gtest.h"

namespace enlace::secretariat {
namespace {

namespace sv1 = ::enlace::stats::v1;

sv1::Cell C(int64_t v, sv1::Flag f = sv1::FLAG_PUBLISHED) {
  sv1::Cell c;
  c.set_value(f == sv1::FLAG_PUBLISHED ? v : 0);
  c.set_flag(f);
  return c;
}

// MX's October: US 30 labour / 24 migration, GT 12 / a withheld 3.
sv1::MonthlyRelease Mx() {
  sv1::MonthlyRelease r;
  r.set_country("MX");
  r.set_month("2026-10");
  r.set_measure("cases_opened");
  for (const char* c : {"CATEGORY_LABOUR", "CATEGORY_MIGRATION"}) {
    r.add_columns(c);
    r.add_column_thresholds(5);
  }
  *r.add_column_totals() = C(42);
  *r.add_column_totals() = C(0, sv1::FLAG_SECONDARY);
  *r.mutable_grand_total() = C(69);
  sv1::Table* t = r.add_tables();
  t->set_dimension("host_country");
  sv1::Row* us = t->add_rows();
  us->set_key("US");
  us->set_threshold(5);
  *us->add_cells() = C(30);
  *us->add_cells() = C(0, sv1::FLAG_SECONDARY);
  *us->mutable_total() = C(54);
  sv1::Row* gt = t->add_rows();
  gt->set_key("GT");
  gt->set_threshold(5);
  *gt->add_cells() = C(12);
  *gt->add_cells() = C(0, sv1::FLAG_PRIMARY);
  *gt->mutable_total() = C(0, sv1::FLAG_SECONDARY);
  return r;
}

TEST(SecretariatRulesTest, AProtectedReleaseFromItsMemberIsKept) {
  EXPECT_TRUE(CheckRelease(Mx(), "MX", "2026-11").ok());
}

// What a member's stolen node key might try to send the secretariat.
TEST(SecretariatRulesTest, AnythingElseIsRefused) {
  auto refused = [](const sv1::MonthlyRelease& r, const std::string& sender = "MX") {
    return CheckRelease(r, sender, "2026-11").code() == absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(refused(Mx(), "GT")) << "another member's release";
  sv1::MonthlyRelease current = Mx();
  current.set_month("2026-11");
  EXPECT_TRUE(refused(current)) << "a month not over";
  sv1::MonthlyRelease small = Mx();
  *small.mutable_tables(0)->mutable_rows(1)->mutable_cells(1) = C(3);
  EXPECT_TRUE(refused(small)) << "a small cell published";
  sv1::MonthlyRelease shown = Mx();
  shown.mutable_tables(0)->mutable_rows(1)->mutable_cells(1)->set_value(3);
  EXPECT_TRUE(refused(shown)) << "a withheld cell's value";
  sv1::MonthlyRelease named = Mx();
  named.mutable_tables(0)->mutable_rows(0)->set_key("Juana Pérez Cruz");
  EXPECT_TRUE(refused(named)) << "a row key that is not a country code";
  sv1::MonthlyRelease column = Mx();
  column.set_columns(0, "Juana Pérez Cruz");
  EXPECT_TRUE(refused(column)) << "a column that is not a category";
  sv1::MonthlyRelease lax = Mx();
  lax.mutable_tables(0)->mutable_rows(0)->set_threshold(2);
  EXPECT_TRUE(refused(lax)) << "a threshold under the region's rule";
  sv1::MonthlyRelease children = Mx();
  children.mutable_tables(0)->set_dimension("age_group");
  children.mutable_tables(0)->mutable_rows(0)->set_key("child");
  children.mutable_tables(0)->mutable_rows(1)->set_key("adult");
  EXPECT_TRUE(refused(children)) << "children's cells at 5 instead of 10";
  sv1::MonthlyRelease ragged = Mx();
  ragged.mutable_tables(0)->mutable_rows(0)->mutable_cells()->RemoveLast();
  EXPECT_TRUE(refused(ragged));
  sv1::MonthlyRelease post = Mx();
  post.mutable_tables(0)->set_dimension("post");
  post.mutable_tables(0)->mutable_rows(0)->set_key("GT-TAP");  // another member's post
  post.mutable_tables(0)->mutable_rows(1)->set_key("MX-GUA");
  EXPECT_TRUE(refused(post));
  sv1::MonthlyRelease withheld;
  withheld.set_country("MX");
  withheld.set_month("2026-10");
  withheld.set_measure("cases_opened");
  withheld.set_withheld(true);
  EXPECT_TRUE(CheckRelease(withheld, "MX", "2026-11").ok());
  *withheld.mutable_grand_total() = C(3);
  withheld.add_columns("CATEGORY_LABOUR");
  EXPECT_TRUE(refused(withheld)) << "a withheld month with numbers";
}

// Every measure of the catalogue has its own columns, and medians only where they belong.
TEST(SecretariatRulesTest, MeasuresKeepTheirOwnColumnsAndMedians) {
  auto check = [](const sv1::MonthlyRelease& r) { return CheckRelease(r, "MX", "2026-11"); };
  sv1::MonthlyRelease notifications = Mx();
  notifications.set_measure("notifications");
  EXPECT_FALSE(check(notifications).ok()) << "categories are not a notification's columns";
  notifications.set_columns(0, "acknowledged_within_24h");
  notifications.set_columns(1, "not_acknowledged");
  EXPECT_TRUE(check(notifications).ok());
  notifications.set_columns(1, "acknowledged_within_24h");
  EXPECT_FALSE(check(notifications).ok()) << "a column twice";
  sv1::MonthlyRelease unknown = Mx();
  unknown.set_measure("persons_by_name");
  EXPECT_FALSE(check(unknown).ok());

  sv1::MonthlyRelease closed = Mx();
  closed.set_measure("cases_closed");
  *closed.add_column_medians() = C(31);
  *closed.add_column_medians() = C(0, sv1::FLAG_NOT_PUBLISHED);
  *closed.mutable_median() = C(29);
  EXPECT_TRUE(check(closed).ok());
  sv1::MonthlyRelease beside_withheld = closed;
  *beside_withheld.mutable_column_medians(1) = C(12);  // its column total is withheld
  EXPECT_FALSE(check(beside_withheld).ok()) << "a median of a withheld count";
  sv1::MonthlyRelease shown = closed;
  shown.mutable_column_medians(1)->set_value(12);
  EXPECT_FALSE(check(shown).ok()) << "a withheld median's value";
  sv1::MonthlyRelease ragged = closed;
  ragged.mutable_column_medians()->RemoveLast();
  EXPECT_FALSE(check(ragged).ok());
  sv1::MonthlyRelease opened = Mx();
  *opened.mutable_median() = C(29);
  EXPECT_FALSE(check(opened).ok()) << "cases opened carry no median";

  sv1::MonthlyRelease crisis = Mx();
  crisis.set_measure("crisis_accounting");
  crisis.set_columns(0, "WELFARE_STATUS_CONTACTED_SAFE");
  crisis.set_columns(1, "WELFARE_STATUS_DECEASED_CONFIRMED");
  EXPECT_FALSE(check(crisis).ok()) << "deaths under the threshold of 10";
  crisis.set_column_thresholds(1, 10);
  EXPECT_TRUE(check(crisis).ok());

  sv1::MonthlyRelease labour = Mx();
  labour.set_measure("labour_claims_ended");
  labour.set_columns(0, "CLAIM_STATUS_RECOVERED");
  labour.set_columns(1, "CLAIM_STATUS_DISMISSED");
  auto* usd = labour.add_amounts();
  usd->set_currency("USD");
  usd->set_threshold(5);
  *usd->mutable_total() = C(1250000);
  auto* cad = labour.add_amounts();
  cad->set_currency("CAD");
  cad->set_threshold(5);
  *cad->mutable_total() = C(0, sv1::FLAG_PRIMARY);
  EXPECT_TRUE(check(labour).ok());
  sv1::MonthlyRelease shown_amount = labour;
  shown_amount.mutable_amounts(1)->mutable_total()->set_value(90000);
  EXPECT_FALSE(check(shown_amount).ok()) << "a withheld amount's value";
  sv1::MonthlyRelease named_amount = labour;
  named_amount.mutable_amounts(0)->set_currency("Juana");
  EXPECT_FALSE(check(named_amount).ok()) << "a name as a currency";
  sv1::MonthlyRelease one_claim = labour;
  one_claim.mutable_amounts(0)->set_threshold(1);
  EXPECT_FALSE(check(one_claim).ok()) << "an amount of one claim";
  sv1::MonthlyRelease amounts_elsewhere = Mx();
  *amounts_elsewhere.add_amounts() = labour.amounts(0);
  EXPECT_FALSE(check(amounts_elsewhere).ok()) << "amounts on cases opened";
}

// A measure's own dimension (the crisis, the programme) holds codes of it, on that measure only.
TEST(SecretariatRulesTest, ExtraDimensionsHoldCodesOfTheirOwnMeasure) {
  auto check = [](const sv1::MonthlyRelease& r) { return CheckRelease(r, "MX", "2026-11"); };
  auto with_table = [](sv1::MonthlyRelease r, const std::string& dimension,
                       const std::string& key) {
    sv1::Table* t = r.add_tables();
    *t = r.tables(0);
    t->set_dimension(dimension);
    t->mutable_rows()->RemoveLast();
    t->mutable_rows(0)->set_key(key);
    return r;
  };
  sv1::MonthlyRelease crisis = Mx();
  crisis.set_measure("crisis_accounting");
  crisis.set_columns(0, "WELFARE_STATUS_CONTACTED_SAFE");
  crisis.set_columns(1, "WELFARE_STATUS_INJURED");
  EXPECT_TRUE(check(with_table(crisis, "crisis", "MX/01JD3Q8Z5W")).ok());
  EXPECT_TRUE(check(with_table(crisis, "crisis", "unknown")).ok()) << "counted before";
  EXPECT_FALSE(check(with_table(crisis, "crisis", "Huracán Otis")).ok()) << "free text";
  EXPECT_FALSE(check(with_table(crisis, "crisis", "Juana Pérez/1")).ok());
  EXPECT_FALSE(check(with_table(crisis, "crisis", "MX/")).ok());
  EXPECT_FALSE(check(with_table(crisis, "programme", "PROGRAMME_US_H2A")).ok())
      << "another measure's dimension";
  EXPECT_FALSE(check(with_table(crisis, "person", "MX/1")).ok()) << "no such dimension";

  sv1::MonthlyRelease labour = Mx();
  labour.set_measure("labour_claims_ended");
  labour.set_columns(0, "CLAIM_STATUS_RECOVERED");
  labour.set_columns(1, "CLAIM_STATUS_DISMISSED");
  EXPECT_TRUE(check(with_table(labour, "programme", "PROGRAMME_CA_SAWP")).ok());
  EXPECT_FALSE(check(with_table(labour, "programme", "H-300-26001-000001")).ok())
      << "an employer's registry id is not a programme";
  EXPECT_FALSE(check(with_table(Mx(), "crisis", "MX/01JD3Q8Z5W")).ok())
      << "cases opened have no crisis table";
}

TEST(SecretariatRulesTest, RegionalSumsSayWhenTheyAreComplete) {
  v1::MemberRelease mx;
  mx.set_country("MX");
  *mx.mutable_release() = Mx();
  v1::MemberRelease gt;
  gt.set_country("GT");
  sv1::MonthlyRelease g = Mx();
  g.set_country("GT");
  g.mutable_tables(0)->mutable_rows(1)->set_key("MX");
  *g.mutable_column_totals(1) = C(20);
  *g.mutable_tables(0)->mutable_rows(0)->mutable_cells(1) = C(8);
  *gt.mutable_release() = g;
  const v1::RegionalRelease r =
      RegionalView("2026-10", "cases_opened", {mx, gt}, {"MX", "GT", "HN"});
  ASSERT_EQ(r.missing_members_size(), 1);
  EXPECT_EQ(r.missing_members(0), "HN");
  ASSERT_EQ(r.columns_size(), 2);
  // Labour: 42 + 42 published, but HN sent nothing: a lower bound.
  EXPECT_EQ(r.column_totals(0).value(), 84);
  EXPECT_FALSE(r.column_totals(0).complete());
  const v1::RegionalRelease two = RegionalView("2026-10", "cases_opened", {mx, gt}, {"MX", "GT"});
  EXPECT_EQ(two.column_totals(0).value(), 84);
  EXPECT_TRUE(two.column_totals(0).complete());
  // Migration: MX withheld its total: GT's 20 only, incomplete, naming MX.
  EXPECT_EQ(two.column_totals(1).value(), 20);
  EXPECT_FALSE(two.column_totals(1).complete());
  ASSERT_EQ(two.column_totals(1).incomplete_members_size(), 1);
  EXPECT_EQ(two.column_totals(1).incomplete_members(0), "MX");
  // Rows by host country: US from both; GT only from MX (GT's own has no such row: zero).
  ASSERT_EQ(two.tables_size(), 1);
  for (const auto& row : two.tables(0).rows()) {
    if (row.key() == "US") {
      EXPECT_EQ(row.cells(0).value(), 60);
      EXPECT_TRUE(row.cells(0).complete());
      EXPECT_EQ(row.cells(1).value(), 8);
      EXPECT_FALSE(row.cells(1).complete());
    }
    if (row.key() == "GT") {
      EXPECT_EQ(row.cells(0).value(), 12);
      EXPECT_TRUE(row.cells(0).complete());
    }
  }
}

}  // namespace
}  // namespace enlace::secretariat

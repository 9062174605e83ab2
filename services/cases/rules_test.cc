#include "common/time/proto_time.h"
#include "services/cases/rules.h"

#include "gtest/gtest.h"

namespace enlace::cases {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 29, 12, 0, 0),
                                        absl::UTCTimeZone());

v1::Person GoodPerson() {
  v1::Person p;
  p.set_given_names("José Luis");
  p.set_family_names("Pérez Hernández");
  p.set_sex(v1::SEX_MALE);
  p.set_birth_date("1990-02-28");
  p.add_nationalities("MX");
  auto* d = p.add_documents();
  d->set_type(v1::DOCUMENT_TYPE_PASSPORT);
  d->set_number("G1234-5678");
  d->set_issuing_country("MX");
  p.add_languages("es");
  p.set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
  return p;
}

std::vector<std::string> Fields(const FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& f : v.violations()) out.push_back(f.field);
  return out;
}

TEST(RulesTest, GoodPersonPasses) {
  FieldViolations v;
  ValidatePerson(GoodPerson(), kNow, v);
  EXPECT_TRUE(v.empty()) << v.ToStatus();
}

TEST(RulesTest, EachBadPersonFieldIsNamed) {
  struct Case {
    std::function<void(v1::Person&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](v1::Person& p) { p.clear_given_names(); p.clear_family_names(); }, "person.given_names"},
      {[](v1::Person& p) { p.set_given_names(std::string(201, 'a')); }, "person.given_names"},
      {[](v1::Person& p) { p.set_family_names("a\nb"); }, "person.family_names"},
      {[](v1::Person& p) { p.set_sex(v1::SEX_UNSPECIFIED); }, "person.sex"},
      {[](v1::Person& p) { p.set_sex(static_cast<v1::Sex>(99)); }, "person.sex"},
      {[](v1::Person& p) { p.set_birth_date("1990-02-30"); }, "person.birth_date"},
      {[](v1::Person& p) { p.set_birth_date("2031"); }, "person.birth_date"},
      {[](v1::Person& p) { p.set_birth_date("90-1-1"); }, "person.birth_date"},
      {[](v1::Person& p) { p.clear_nationalities(); }, "person.nationalities"},
      {[](v1::Person& p) { p.set_nationalities(0, "mx"); }, "person.nationalities[0]"},
      {[](v1::Person& p) { p.add_nationalities("MX"); }, "person.nationalities[1]"},
      {[](v1::Person& p) { p.mutable_documents(0)->set_number("<script>"); },
       "person.documents[0].number"},
      {[](v1::Person& p) { p.mutable_documents(0)->set_issuing_country("ZZ"); },
       "person.documents[0].issuing_country"},
      {[](v1::Person& p) { p.mutable_documents(0)->set_type(v1::DOCUMENT_TYPE_UNSPECIFIED); },
       "person.documents[0].type"},
      {[](v1::Person& p) { *p.add_documents() = p.documents(0); }, "person.documents[1].number"},
      {[](v1::Person& p) { p.add_languages("Spanish"); }, "person.languages[1]"},
      {[](v1::Person& p) {
         p.set_international_protection(v1::INTERNATIONAL_PROTECTION_UNSPECIFIED);
       },
       "person.international_protection"},
      {[](v1::Person& p) { p.add_vulnerabilities(v1::VULNERABILITY_UNSPECIFIED); },
       "person.vulnerabilities[0]"},
      {[](v1::Person& p) { p.mutable_contact()->set_phone("call me"); }, "person.contact.phone"},
      {[](v1::Person& p) { p.mutable_contact()->set_email("nope"); }, "person.contact.email"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::Person p = GoodPerson();
    cases[i].mutate(p);
    FieldViolations v;
    ValidatePerson(p, kNow, v);
    auto fields = Fields(v);
    EXPECT_NE(std::find(fields.begin(), fields.end(), cases[i].field), fields.end())
        << "case " << i << " expected " << cases[i].field << " got " << v.ToStatus();
  }
}

TEST(RulesTest, SubtypesBelongToOneCategory) {
  EXPECT_EQ(CategoryOfSubtype(v1::SUBTYPE_CRIMINAL_DETENTION), v1::CATEGORY_CRIMINAL);
  EXPECT_EQ(CategoryOfSubtype(v1::SUBTYPE_MINOR_IN_CUSTODY), v1::CATEGORY_MIGRATION);
  EXPECT_EQ(CategoryOfSubtype(v1::SUBTYPE_UNPAID_WAGES), v1::CATEGORY_LABOUR);
  EXPECT_EQ(CategoryOfSubtype(v1::SUBTYPE_TRAFFICKING), v1::CATEGORY_HUMAN_RIGHTS);
  EXPECT_EQ(CategoryOfSubtype(v1::SUBTYPE_REMAINS_REPATRIATION), v1::CATEGORY_ADMINISTRATIVE);
  EXPECT_EQ(CategoryOfSubtype(v1::SUBTYPE_EVACUATION), v1::CATEGORY_CRISIS);
  EXPECT_EQ(CategoryOfSubtype(static_cast<v1::Subtype>(9)), v1::CATEGORY_UNSPECIFIED);
  // Every defined subtype maps to a category.
  const auto* d = v1::Subtype_descriptor();
  for (int i = 1; i < d->value_count(); ++i) {
    EXPECT_NE(CategoryOfSubtype(static_cast<v1::Subtype>(d->value(i)->number())),
              v1::CATEGORY_UNSPECIFIED)
        << d->value(i)->name();
  }
}

TEST(RulesTest, CaseRules) {
  CaseContext ctx{{"MX-LAX"}};
  v1::Case c;
  c.set_post("MX-LAX");
  c.set_host_country("US");
  c.set_place("Los Angeles, CA");
  c.set_category(v1::CATEGORY_CRIMINAL);
  c.set_subtype(v1::SUBTYPE_DEPORTATION);
  c.set_legal_basis(v1::LEGAL_BASIS_CONSENT);
  FieldViolations v;
  ValidateCase(c, ctx, kNow, v);
  auto f = Fields(v);
  EXPECT_NE(std::find(f.begin(), f.end(), "case.subtype"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "case.consent"), f.end());
  c.set_subtype(v1::SUBTYPE_CRIMINAL_DETENTION);
  auto* consent = c.mutable_consent();
  consent->set_given_by(v1::CONSENT_GIVER_PERSON);
  consent->add_scopes(v1::CONSENT_SCOPE_SERVICES);
  *consent->mutable_obtain_time() = ToProtoTime(kNow - absl::Hours(1));
  FieldViolations ok;
  ValidateCase(c, ctx, kNow, ok);
  EXPECT_TRUE(ok.empty()) << ok.ToStatus();
  c.set_post("MX-XXX");
  c.set_status(v1::STATUS_CLOSED);
  consent->add_withheld_items("password");
  FieldViolations bad;
  ValidateCase(c, ctx, kNow, bad);
  f = Fields(bad);
  EXPECT_NE(std::find(f.begin(), f.end(), "case.post"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "case.status"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "case.consent.withheld_items[0]"), f.end());
}

TEST(RulesTest, BirthDatesAndDocuments) {
  EXPECT_TRUE(IsValidPartialDate("2000-02-29", kNow));
  EXPECT_FALSE(IsValidPartialDate("1900-02-29", kNow));
  EXPECT_TRUE(IsValidPartialDate("1985-07", kNow));
  EXPECT_TRUE(BirthDateMatches("1985-07-04", "1985"));
  EXPECT_TRUE(BirthDateMatches("1985", "1985-07-04"));
  EXPECT_FALSE(BirthDateMatches("1986", "1985"));
  EXPECT_FALSE(BirthDateMatches("", "1985"));
  EXPECT_EQ(NormalizeDocumentNumber("g12 34-56.7"), "G1234567");
}

TEST(RulesTest, MasksAndEtags) {
  v1::Person a = GoodPerson();
  v1::Person b;
  b.set_given_names("María");
  google::protobuf::FieldMask mask;
  mask.add_paths("given_names");
  ASSERT_TRUE(ApplyPersonMask(mask, b, a).ok());
  EXPECT_EQ(a.given_names(), "María");
  EXPECT_EQ(a.family_names(), "Pérez Hernández");
  mask.add_paths("etag");
  EXPECT_EQ(ApplyPersonMask(mask, b, a).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyPersonMask(google::protobuf::FieldMask(), b, a).code(),
            absl::StatusCode::kInvalidArgument);
  std::string e1 = ComputeEtag(a);
  a.set_etag("whatever");
  EXPECT_EQ(ComputeEtag(a), e1);  // the etag field itself does not count
  a.set_sex(v1::SEX_FEMALE);
  EXPECT_NE(ComputeEtag(a), e1);
}

}  // namespace
}  // namespace enlace::cases

#include "services/referrals/rules.h"

#include "common/status/errors.h"
#include "common/time/proto_time.h"
#include "gtest/gtest.h"

namespace enlace::referrals {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;

const absl::Time kNow = absl::FromUnixSeconds(1796053605);

cv1::Case ConsentCase(std::vector<cv1::ConsentScope> scopes) {
  cv1::Case c;
  c.set_legal_basis(cv1::LEGAL_BASIS_CONSENT);
  for (auto s : scopes) c.mutable_consent()->add_scopes(s);
  *c.mutable_consent()->mutable_obtain_time() = ToProtoTime(kNow - absl::Hours(24));
  return c;
}

google::protobuf::RepeatedPtrField<std::string> Fields(std::vector<std::string> f) {
  google::protobuf::RepeatedPtrField<std::string> out;
  for (auto& s : f) *out.Add() = s;
  return out;
}

TEST(ReferralRulesTest, ScopesFollowTheRecipientAndTheService) {
  EXPECT_EQ(NeededScopes(true, dv1::ORGANISATION_TYPE_UNSPECIFIED, v1::SERVICE_TYPE_LEGAL_AID),
            std::vector<cv1::ConsentScope>{cv1::CONSENT_SCOPE_SERVICES});
  EXPECT_EQ(NeededScopes(false, dv1::ORGANISATION_TYPE_INTERNATIONAL_ORGANISATION,
                         v1::SERVICE_TYPE_FAMILY_TRACING),
            (std::vector<cv1::ConsentScope>{cv1::CONSENT_SCOPE_INTERNATIONAL_ORGANISATIONS,
                                            cv1::CONSENT_SCOPE_TRACING}));
  EXPECT_EQ(NeededScopes(false, dv1::ORGANISATION_TYPE_UNSPECIFIED, v1::SERVICE_TYPE_LEGAL_AID),
            std::vector<cv1::ConsentScope>{cv1::CONSENT_SCOPE_CIVIL_SOCIETY});
}

TEST(ReferralRulesTest, ConsentMustBeInForceCoverTheScopesAndNotWithholdTheFields) {
  const auto services = std::vector<cv1::ConsentScope>{cv1::CONSENT_SCOPE_SERVICES};
  cv1::Case c = ConsentCase({cv1::CONSENT_SCOPE_SERVICES});
  EXPECT_TRUE(CheckLegalBasis(c, kNow, services, Fields({"given_names"})).ok());

  EXPECT_EQ(
      CheckLegalBasis(ConsentCase({cv1::CONSENT_SCOPE_FAMILY}), kNow, services, Fields({})).code(),
      absl::StatusCode::kFailedPrecondition);
  cv1::Case withdrawn = c;
  *withdrawn.mutable_consent()->mutable_withdraw_time() = ToProtoTime(kNow - absl::Hours(1));
  EXPECT_EQ(CheckLegalBasis(withdrawn, kNow, services, Fields({})).code(),
            absl::StatusCode::kFailedPrecondition);
  cv1::Case expired = c;
  *expired.mutable_consent()->mutable_expire_time() = ToProtoTime(kNow);
  EXPECT_EQ(CheckLegalBasis(expired, kNow, services, Fields({})).code(),
            absl::StatusCode::kFailedPrecondition);

  cv1::Case withheld = c;
  withheld.mutable_consent()->add_withheld_items("documents");
  absl::Status s = CheckLegalBasis(withheld, kNow, services, Fields({"sex", "documents"}));
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(s)[0].field, "referral.disclosed_fields[1]");

  cv1::Case none;
  EXPECT_EQ(CheckLegalBasis(none, kNow, services, Fields({})).code(),
            absl::StatusCode::kFailedPrecondition);
  cv1::Case vital;
  vital.set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
  EXPECT_TRUE(CheckLegalBasis(vital, kNow, services, Fields({"documents"})).ok());
}

TEST(ReferralRulesTest, OnlyTheChosenFieldsLeave) {
  cv1::Person person;
  person.set_given_names("Rosa");
  person.set_family_names("Tzul");
  person.set_birth_date("1990-01-02");
  person.set_age_band(cv1::AGE_BAND_ADULT_30_59);
  person.add_documents()->set_number("X1");
  person.mutable_contact()->set_phone("+502 5555 0000");
  cv1::Case c;
  c.set_place("Tapachula");
  c.set_summary("Necesita asesoría");
  v1::Referral r;
  CopyDisclosed({"birth_date", "place"}, person, c, &r);
  EXPECT_TRUE(r.person().given_names().empty());
  EXPECT_EQ(r.person().birth_date(), "1990-01-02");
  EXPECT_EQ(r.person().age_band(), cv1::AGE_BAND_ADULT_30_59);
  EXPECT_EQ(r.person().documents_size(), 0);
  EXPECT_FALSE(r.person().has_contact());
  EXPECT_EQ(r.place(), "Tapachula");
  EXPECT_TRUE(r.summary().empty());
  EXPECT_EQ(DisclosableFields().count("contact"), 0u);
}

}  // namespace
}  // namespace enlace::referrals

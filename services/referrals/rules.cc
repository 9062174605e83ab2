#include "services/referrals/rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/time/proto_time.h"

namespace enlace::referrals {

namespace cv1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;

const std::set<std::string>& DisclosableFields() {
  static const auto* f = new std::set<std::string>{
      "given_names", "family_names", "birth_date",      "sex",   "nationalities",
      "documents",   "languages",    "vulnerabilities", "place", "summary"};
  return *f;
}

std::vector<cv1::ConsentScope> NeededScopes(bool to_member, dv1::OrganisationType org_type,
                                            v1::ServiceType service) {
  std::vector<cv1::ConsentScope> needed;
  if (to_member) {
    needed.push_back(cv1::CONSENT_SCOPE_SERVICES);
  } else if (org_type == dv1::ORGANISATION_TYPE_INTERNATIONAL_ORGANISATION) {
    needed.push_back(cv1::CONSENT_SCOPE_INTERNATIONAL_ORGANISATIONS);
  } else {
    needed.push_back(cv1::CONSENT_SCOPE_CIVIL_SOCIETY);
  }
  if (service == v1::SERVICE_TYPE_FAMILY_TRACING) needed.push_back(cv1::CONSENT_SCOPE_TRACING);
  return needed;
}

absl::Status CheckLegalBasis(const cv1::Case& c, absl::Time now,
                             const std::vector<cv1::ConsentScope>& needed,
                             const google::protobuf::RepeatedPtrField<std::string>& disclosed) {
  if (c.legal_basis() == cv1::LEGAL_BASIS_UNSPECIFIED) {
    return absl::FailedPreconditionError("no legal basis recorded on the case");
  }
  if (c.legal_basis() != cv1::LEGAL_BASIS_CONSENT) return absl::OkStatus();
  const auto& consent = c.consent();
  if (consent.has_withdraw_time() && FromProtoTime(consent.withdraw_time()) <= now) {
    return absl::FailedPreconditionError("no legal basis: the person withdrew consent");
  }
  if (consent.has_expire_time() && FromProtoTime(consent.expire_time()) <= now) {
    return absl::FailedPreconditionError("no legal basis: the consent has expired");
  }
  for (auto scope : needed) {
    if (std::find(consent.scopes().begin(), consent.scopes().end(), scope) ==
        consent.scopes().end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no legal basis: the person's consent does not cover ", cv1::ConsentScope_Name(scope)));
    }
  }
  for (int i = 0; i < disclosed.size(); ++i) {
    if (std::find(consent.withheld_items().begin(), consent.withheld_items().end(), disclosed[i]) !=
        consent.withheld_items().end()) {
      return InvalidField(absl::StrCat("referral.disclosed_fields[", i, "]"),
                          "withheld by the person: it never leaves");
    }
  }
  return absl::OkStatus();
}

void CopyDisclosed(const std::set<std::string>& fields, const cv1::Person& person,
                   const cv1::Case& c, v1::Referral* r) {
  cv1::Person* p = r->mutable_person();
  for (const auto& f : fields) {
    if (f == "given_names") p->set_given_names(person.given_names());
    if (f == "family_names") p->set_family_names(person.family_names());
    if (f == "birth_date") {
      p->set_birth_date(person.birth_date());
      p->set_age_band(person.age_band());
    }
    if (f == "sex") p->set_sex(person.sex());
    if (f == "nationalities") *p->mutable_nationalities() = person.nationalities();
    if (f == "documents") *p->mutable_documents() = person.documents();
    if (f == "languages") *p->mutable_languages() = person.languages();
    if (f == "vulnerabilities") *p->mutable_vulnerabilities() = person.vulnerabilities();
    if (f == "place") r->set_place(c.place());
    if (f == "summary") r->set_summary(c.summary());
  }
}

}  // namespace enlace::referrals

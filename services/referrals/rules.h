#ifndef ENLACE_SERVICES_REFERRALS_RULES_H_
#define ENLACE_SERVICES_REFERRALS_RULES_H_

// The disclosure policy of a referral: pure rules, no I/O (rules_test.cc).

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/cases/v1/person.pb.h"
#include "enlace/directory/v1/directory.pb.h"
#include "enlace/referrals/v1/referrals.pb.h"

namespace enlace::referrals {

// What a referral may disclose; the person's local contact never leaves.
const std::set<std::string>& DisclosableFields();

// The consent scopes a referral needs: SERVICES to a member's post, INTERNATIONAL_ORGANISATIONS
// or CIVIL_SOCIETY to an organisation by its type, and TRACING as well for family tracing.
std::vector<cases::v1::ConsentScope> NeededScopes(bool to_member,
                                                  directory::v1::OrganisationType org_type,
                                                  v1::ServiceType service);

// The legal basis of referring case `c` at `now`: with consent, in force and covering
// `needed` (FAILED_PRECONDITION saying what is missing), and no disclosed field among the
// items the person withheld (INVALID_ARGUMENT on referral.disclosed_fields[i]); no basis
// recorded: FAILED_PRECONDITION. Other bases stand on their own.
absl::Status CheckLegalBasis(const cases::v1::Case& c, absl::Time now,
                             const std::vector<cases::v1::ConsentScope>& needed,
                             const google::protobuf::RepeatedPtrField<std::string>& disclosed);

// Copies the chosen fields of `person` and `c` into `r`: nothing else leaves.
void CopyDisclosed(const std::set<std::string>& fields, const cases::v1::Person& person,
                   const cases::v1::Case& c, v1::Referral* r);

}  // namespace enlace::referrals

#endif  // ENLACE_SERVICES_REFERRALS_RULES_H_

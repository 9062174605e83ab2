#ifndef ENLACE_SERVICES_WORKERS_RULES_H_
#define ENLACE_SERVICES_WORKERS_RULES_H_

// Temporary workers' rules: pure functions, no I/O, unit-tested in rules_test.cc.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "enlace/workers/v1/workers.pb.h"

namespace enlace::workers {

// A step of a labour claim's status. FAILED_PRECONDITION names both statuses.
absl::Status CheckClaimStep(v1::ClaimStatus from, v1::ClaimStatus to);
// Not yet before a forum: the filing deadline still matters.
bool IsBeforeFiling(v1::ClaimStatus status);
// RECOVERED and PARTIAL carry the amount recovered.
bool CarriesRecovery(v1::ClaimStatus status);

// ISO 4217 codes of the currencies the members' workers are paid, charged or compensated in.
bool IsCurrencyCode(absl::string_view code);
// An employer's registry id or a recruiter's licence: 1-64 of A-Z a-z 0-9 . / - (no
// separator of the store's keys).
bool IsRegistryId(absl::string_view id);
// A "YYYY-MM-DD" date as a civil day (false when it is not one).
bool ParseDate(absl::string_view date, absl::CivilDay* day);

// `field` (e.g. "claim.claimed") holds a currency and an amount; `positive` when zero is not
// a valid amount.
void ValidateMoney(const v1::Money& m, const std::string& field, bool positive,
                   FieldViolations& v);
// The client-settable fields of an employment (not person or post, checked by the domain).
void ValidateEmployment(const v1::Employment& e, FieldViolations& v);
// The client-settable fields of a new claim.
void ValidateClaim(const v1::LabourClaim& c, FieldViolations& v);
// The amount an advance to RECOVERED or PARTIAL carries.
void ValidateRecovery(const v1::LabourClaim& claim, v1::ClaimStatus to,
                      const v1::Money& recovered, FieldViolations& v);
void ValidateOutreachEvent(const v1::OutreachEvent& e, absl::CivilDay today, FieldViolations& v);

// A peer's verified counts: well formed, within bounds, each type once. `sender` is the
// authenticated member of the envelope: the report's only possible writer.
absl::Status ValidateCountsReport(const v1::CountsReport& r, absl::string_view sender);

}  // namespace enlace::workers

#endif  // ENLACE_SERVICES_WORKERS_RULES_H_

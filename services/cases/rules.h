#ifndef ENLACE_SERVICES_CASES_RULES_H_
#define ENLACE_SERVICES_CASES_RULES_H_

// Pure domain rules of persons, cases and actions: validation, update masks, the
// category/subtype table and etags. No I/O, so every rule is unit-tested directly.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/cases/v1/person.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace enlace::cases {


inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultPageSize = 50;

// The category a subtype belongs to (CATEGORY_UNSPECIFIED for an unknown subtype).
v1::Category CategoryOfSubtype(v1::Subtype subtype);

// Checks a person's client-settable fields; `prefix` is the field path ("person.").
void ValidatePerson(const v1::Person& person, absl::Time now, FieldViolations& violations,
                    absl::string_view prefix = "person.");

// Context a case is validated against: the node's configured posts.
struct CaseContext {
  std::vector<std::string> post_codes;
  bool HasPost(absl::string_view code) const;
};

void ValidateCase(const v1::Case& c, const CaseContext& context, absl::Time now,
                  FieldViolations& violations, absl::string_view prefix = "case.");
void ValidateAction(const v1::Action& action, const CaseContext& context, absl::Time now,
                    FieldViolations& violations, absl::string_view prefix = "action.");

// Partial date `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real calendar date from 1900 to `now`.
bool IsValidPartialDate(absl::string_view date, absl::Time now);
// A full `YYYY-MM-DD` (any year 1900-2199); used for document expiry.
bool IsValidFullDate(absl::string_view date);
// Whether a recorded partial birth date is consistent with a queried one (one is a prefix of
// the other). An unknown (empty) recorded date matches nothing.
bool BirthDateMatches(absl::string_view recorded, absl::string_view query);

// Document numbers compare without case, spaces, dashes and dots.
std::string NormalizeDocumentNumber(absl::string_view number);

// The page size to use, or INVALID_ARGUMENT for a negative one; larger ones are capped.
absl::StatusOr<int> EffectivePageSize(int requested);

// Copies the fields named by `mask` from `from` into `to`, or INVALID_ARGUMENT on an
// empty mask or a path not in `allowed`.
absl::Status ApplyPersonMask(const google::protobuf::FieldMask& mask, const v1::Person& from,
                             v1::Person& to);
absl::Status ApplyCaseMask(const google::protobuf::FieldMask& mask, const v1::Case& from,
                           v1::Case& to);

// A strong etag over the resource's content (its etag field excluded).
std::string ComputeEtag(const google::protobuf::Message& resource);


// Whether the person is under 18 at `now`, from the birth date (a partial one counts from its
// latest possible day: the presumption of minority) or, without one, the age band.
bool IsUnder18(const v1::Person& person, absl::Time now);

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_RULES_H_

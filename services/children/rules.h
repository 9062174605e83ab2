#ifndef ENLACE_SERVICES_CHILDREN_RULES_H_
#define ENLACE_SERVICES_CHILDREN_RULES_H_

// Child protection's rules: pure functions, no I/O, unit-tested in rules_test.cc.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "enlace/cases/v1/person.pb.h"
#include "enlace/children/v1/children.pb.h"

namespace enlace::children {


// A step an officer may take with AdvanceChildRecord (the determination's steps go through
// RequestDetermination and DecideDetermination). FAILED_PRECONDITION names both states.
absl::Status CheckStep(v1::WorkflowState from, v1::WorkflowState to);

// The facts UpdateChildRecord and CreateChildRecord replace; `prefix` names the fields.
void ValidateFacts(const v1::ChildRecord& r, absl::Time now, FieldViolations& v,
                   const std::string& prefix);
void ValidateAssessment(const v1::Assessment& a, absl::Time now, FieldViolations& v);
void ValidateDetermination(const v1::Determination& d, FieldViolations& v);

// Whether the person is under 18 at `now`, from the birth date or, without one, the age band.
bool IsUnder18(const enlace::cases::v1::Person& person, absl::Time now);

// The record as a caller without the grant sees it: that it exists, its case and state.
v1::ChildRecord Withheld(const v1::ChildRecord& r);

}  // namespace enlace::children

#endif  // ENLACE_SERVICES_CHILDREN_RULES_H_

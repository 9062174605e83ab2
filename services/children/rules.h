#ifndef ENLACE_SERVICES_CHILDREN_RULES_H_
#define ENLACE_SERVICES_CHILDREN_RULES_H_

// Child protection's rules: pure functions, no I/O, unit-tested in rules_test.cc.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "enlace/cases/v1/person.pb.h"
#include "enlace/children/v1/children.pb.h"
#include "services/cases/rules.h"

namespace enlace::children {


// A step an officer may take with AdvanceChildRecord (the determination's steps go through
// RequestDetermination and DecideDetermination). FAILED_PRECONDITION names both states.
absl::Status CheckStep(v1::WorkflowState from, v1::WorkflowState to);
// CheckStep, and what AdvanceChildRecord may not do by itself: RETURN_PLANNED is reached
// through SetReturnPlan, HANDED_OVER when the receiving member confirms, and a planned
// return goes back to SERVICES only once the receiving member declined it.
absl::Status CheckAdvance(const v1::ChildRecord& r, v1::WorkflowState to);

// Where a return can be planned: from SERVICES on an approved determination to return or
// reunify; the receiving country is the child's nationality when the decision is to return
// to the country of origin.
absl::Status CheckReturnAllowed(const v1::ChildRecord& r,
                                const enlace::cases::v1::Person& child,
                                const std::string& receiving_country);
// The plan's own fields (plan.*): country, authority's form, reception point, escort, time.
void ValidateReturnPlan(const v1::ReturnPlan& plan, absl::Time now, FieldViolations& v);
// The receiving member's answers: PROPOSED -> ACCEPTED | DECLINED, ACCEPTED -> RECEIVED |
// DECLINED. FAILED_PRECONDITION otherwise.
absl::Status CheckHandoverAnswer(v1::HandoverState from, v1::HandoverState to);
// What the receiving member is sent: who the child is (names, birth date, sex), how they
// travel, who receives them, where and when. Nothing of the record's concerns, care,
// assessments, determination or tracing (minimum disclosure).
// A handover as a peer offers it: the sizes and forms SetReturnPlan would have produced (a
// member's stolen key must not store anything else here).
bool IsWellFormedOffer(const v1::Handover& h);
v1::Handover HandoverFor(const enlace::cases::v1::Person& child, const v1::ChildRecord& r,
                         const v1::ReturnPlan& plan);

// The facts UpdateChildRecord and CreateChildRecord replace; `prefix` names the fields.
void ValidateFacts(const v1::ChildRecord& r, absl::Time now, FieldViolations& v,
                   const std::string& prefix);
void ValidateAssessment(const v1::Assessment& a, absl::Time now, FieldViolations& v);
void ValidateDetermination(const v1::Determination& d, FieldViolations& v);

// Whether the person is under 18 at `now` (the presumption of minority): in the cases rules.
using ::enlace::cases::IsUnder18;

// The record as a caller without the grant sees it: that it exists, its case and state.
v1::ChildRecord Withheld(const v1::ChildRecord& r);

}  // namespace enlace::children

#endif  // ENLACE_SERVICES_CHILDREN_RULES_H_

#ifndef ENLACE_SERVICES_CASES_OPEN_CASE_H_
#define ENLACE_SERVICES_CASES_OPEN_CASE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/identity/caller.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/cases/v1/person.pb.h"
#include "services/cases/registry.h"

namespace enlace::cases {

// The domain call a module of the node makes when a record from another party (a consular
// notification, an accepted transfer) asks for a case: the national already on file with one
// of `person`'s documents gets the case on their record, anyone else is recorded first.
// Idempotent by `request_id` (1-60 characters): a retry after a crash opens nothing twice.
// `system` is the module's SystemCaller.
struct OpenedCase {
  std::string person;  // the person's resource name
  v1::Case opened;
};
absl::StatusOr<OpenedCase> OpenCaseFor(Registry& registry, const v1::Person& person,
                                       v1::Case kase, absl::string_view request_id,
                                       const Caller& system);

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_OPEN_CASE_H_

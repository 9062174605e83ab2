#ifndef ENLACE_COMMON_AUTHZ_POLICY_H_
#define ENLACE_COMMON_AUTHZ_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/identity/caller.h"

namespace enlace::authz {

// One row of the policy: which roles may call a method. Anything not listed is denied.
// Row-level scoping (an officer sees only its own post's cases) is applied by the domain
// code on top of this table; see docs/security.md.
struct PolicyRule {
  std::string method;  // "package.Service/Method"
  std::vector<Role> roles;
  std::string note;  // shown in docs/security.md's table
};

// The policy is declared next to each method, in its proto, by the method option
// `(enlace.options.v1.access)` (protos/enlace/options/v1/access.proto); a module brings its
// rows with its protos and edits nothing here. The table is read once from the protos linked
// into the program, in file, service and method order; methods without the option are not
// in it and are denied to every caller.
//
// docs/security.md's table is generated from it (`bazel run //services/node:policy_doc --
// --update`; //services/node:policy_doc_test fails when the two differ).
const std::vector<PolicyRule>& PolicyTable();

// The policy table as the markdown table of docs/security.md: a header, then one row per
// PolicyRule in table order, a check mark per allowed role. Ends with a newline.
std::string PolicyTableMarkdown();

// OK when every method of the service (full name, e.g. "enlace.cases.v1.CaseService") has an
// access option; FAILED_PRECONDITION naming the first method without one, NOT_FOUND for a
// service whose proto is not linked in. The node refuses to serve such a service, so a method
// cannot ship unreachable by mistake or be granted by someone reading the wrong table.
absl::Status CheckServiceDeclaresAccess(absl::string_view service);

// `method` is "package.Service/Method" (a gRPC path without its leading slash).
bool PolicyAllows(absl::string_view method, Role role);

}  // namespace enlace::authz

#endif  // ENLACE_COMMON_AUTHZ_POLICY_H_

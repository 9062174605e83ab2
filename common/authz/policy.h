#ifndef ENLACE_COMMON_AUTHZ_POLICY_H_
#define ENLACE_COMMON_AUTHZ_POLICY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/identity/caller.h"

namespace enlace::authz {

// One row of the policy: which roles may call a method. Anything not listed is denied.
// Row-level scoping (an officer sees only its own post's cases) is applied by the domain
// code on top of this table; see docs/security.md.
struct PolicyRule {
  const char* method;  // "package.Service/Method"
  std::vector<Role> roles;
  const char* note = "";  // shown in docs/security.md's table (e.g. "not served yet")
};

// The whole policy table, in one place. docs/security.md's table is generated from it
// (`bazel run //common/authz:policy_doc -- --update`; //common/authz:policy_doc_test fails
// when the two differ).
const std::vector<PolicyRule>& PolicyTable();

// The policy table as the markdown table of docs/security.md: a header, then one row per
// PolicyRule in table order, a check mark per allowed role. Ends with a newline.
std::string PolicyTableMarkdown();

bool PolicyAllows(absl::string_view method, Role role);

}  // namespace enlace::authz

#endif  // ENLACE_COMMON_AUTHZ_POLICY_H_

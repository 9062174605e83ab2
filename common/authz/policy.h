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
};

// The whole policy table, in one place.
const std::vector<PolicyRule>& PolicyTable();

bool PolicyAllows(absl::string_view method, Role role);

}  // namespace enlace::authz

#endif  // ENLACE_COMMON_AUTHZ_POLICY_H_

#ifndef ENLACE_COMMON_AUTHZ_POLICY_DOC_H_
#define ENLACE_COMMON_AUTHZ_POLICY_DOC_H_

// docs/security.md carries the policy table between two marker lines; these helpers find,
// replace and compare that block (used by //services/node:policy_doc and its test).

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enlace::authz {

inline constexpr absl::string_view kPolicyDocBegin =
    "<!-- policy table: generated from the access options of the protos -->";
inline constexpr absl::string_view kPolicyDocEnd = "<!-- end of policy table -->";

// The lines strictly between the two markers (each with its newline), or NOT_FOUND when a
// marker is missing or out of order.
absl::StatusOr<std::string> ExtractPolicyBlock(absl::string_view doc);

// `doc` with the lines between the markers replaced by `table`.
absl::StatusOr<std::string> ReplacePolicyBlock(absl::string_view doc, absl::string_view table);

// A line diff from `want` to `have` ("-" lines only in want, "+" lines only in have, " "
// common), empty when they are equal.
std::string LineDiff(absl::string_view want, absl::string_view have);

}  // namespace enlace::authz

#endif  // ENLACE_COMMON_AUTHZ_POLICY_DOC_H_

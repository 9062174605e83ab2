#ifndef ENLACE_COMMON_STATUS_MACROS_H_
#define ENLACE_COMMON_STATUS_MACROS_H_

// Early return on error, as Abseil-using projects write it (cf. ZetaSQL's and TensorFlow's
// status macros). They replace the `if (!x.ok()) return x.status();` blocks that bury the
// logic of a function; use them where they remove noise, not to hide what an error means
// (add context with the status's message where the caller would otherwise be lost).
//
//   ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
//   ENLACE_ASSIGN_OR_RETURN(v1::Case c, LoadCase(id));
//   ENLACE_ASSIGN_OR_RETURN(auto person, registry_->GetPerson(request, caller));

#include <utility>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace enlace::status_internal {

inline absl::Status AsStatus(absl::Status s) { return s; }
template <typename T>
absl::Status AsStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace enlace::status_internal

// Evaluates `expr` (an absl::Status) once; returns it from the enclosing function if not OK.
#define ENLACE_RETURN_IF_ERROR(expr)                                             \
  do {                                                                           \
    absl::Status enlace_status_ = ::enlace::status_internal::AsStatus((expr));   \
    if (ABSL_PREDICT_FALSE(!enlace_status_.ok())) return enlace_status_;         \
  } while (false)

#define ENLACE_STATUS_CONCAT_INNER_(a, b) a##b
#define ENLACE_STATUS_CONCAT_(a, b) ENLACE_STATUS_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>) once; returns its status if not OK, else moves the
// value into `lhs` (a declaration such as `auto x` or `const Foo& y`, or an existing lvalue).
#define ENLACE_ASSIGN_OR_RETURN(lhs, rexpr) \
  ENLACE_ASSIGN_OR_RETURN_IMPL_(ENLACE_STATUS_CONCAT_(enlace_statusor_, __LINE__), lhs, rexpr)

#define ENLACE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)                   \
  auto statusor = (rexpr);                                                    \
  if (ABSL_PREDICT_FALSE(!statusor.ok())) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#endif  // ENLACE_COMMON_STATUS_MACROS_H_

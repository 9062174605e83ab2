#ifndef ENLACE_COMMON_STATUS_ERRORS_H_
#define ENLACE_COMMON_STATUS_ERRORS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace enlace {

// The type URL under which a google.rpc.BadRequest rides as an absl::Status payload, so the
// service edge can hand it to clients as a gRPC status detail.
inline constexpr absl::string_view kBadRequestTypeUrl =
    "type.googleapis.com/google.rpc.BadRequest";

struct FieldViolation {
  std::string field;
  std::string description;
};

// Collects every offending field of a request so a client learns all of them at once.
class FieldViolations {
 public:
  void Add(absl::string_view field, absl::string_view description);
  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }
  // OK when empty; otherwise INVALID_ARGUMENT naming the fields, with a BadRequest payload.
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

// INVALID_ARGUMENT for one field.
absl::Status InvalidField(absl::string_view field, absl::string_view description);

// The field violations carried by `status` (empty when it has none).
std::vector<FieldViolation> GetFieldViolations(const absl::Status& status);

}  // namespace enlace

#endif  // ENLACE_COMMON_STATUS_ERRORS_H_

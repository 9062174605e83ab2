#ifndef ENLACE_SERVICES_SECRETARIAT_DASHBOARD_DATA_H_
#define ENLACE_SERVICES_SECRETARIAT_DASHBOARD_DATA_H_

#include "absl/status/statusor.h"
#include "common/identity/caller.h"
#include "enlace/secretariat/v1/secretariat.pb.h"

namespace enlace::secretariat::dashboard {

// What the dashboard reads: the secretariat's store answers it (the same answers as
// enlace.secretariat.v1.SecretariatService), tests use a fake. Called from the HTTP server's
// worker threads, several at once: implementations must be thread-safe. A status maps to an
// HTTP status (INVALID_ARGUMENT 400, NOT_FOUND 404, PERMISSION_DENIED 403, UNAVAILABLE 503,
// anything else 500) with the status message in the JSON error. `caller` is the person whose
// client certificate the server verified (secretariat role): what the audit records name.
class DashboardData {
 public:
  virtual ~DashboardData() = default;
  virtual absl::StatusOr<enlace::secretariat::v1::ListMonthsResponse> ListMonths(
      const enlace::secretariat::v1::ListMonthsRequest&, const Caller& caller) = 0;
  virtual absl::StatusOr<enlace::secretariat::v1::RegionalRelease> GetRegionalRelease(
      const enlace::secretariat::v1::GetRegionalReleaseRequest&, const Caller& caller) = 0;
};

}  // namespace enlace::secretariat::dashboard

#endif  // ENLACE_SERVICES_SECRETARIAT_DASHBOARD_DATA_H_

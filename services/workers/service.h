#ifndef ENLACE_SERVICES_WORKERS_SERVICE_H_
#define ENLACE_SERVICES_WORKERS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/workers/v1/workers.grpc.pb.h"
#include "services/workers/workers.h"

namespace enlace::workers {

// The service's methods: (method, request, response), for the thin adapter below.
#define ENLACE_WORKERS_METHODS(X)                                                \
  X(CreateEmployment, CreateEmploymentRequest, Employment)                       \
  X(GetEmployment, GetEmploymentRequest, Employment)                             \
  X(ListEmployments, ListEmploymentsRequest, ListEmploymentsResponse)            \
  X(CreateLabourClaim, CreateLabourClaimRequest, LabourClaim)                    \
  X(GetLabourClaim, GetLabourClaimRequest, LabourClaim)                          \
  X(AdvanceLabourClaim, AdvanceLabourClaimRequest, LabourClaim)                  \
  X(ListClaimDeadlines, ListClaimDeadlinesRequest, ListClaimDeadlinesResponse)   \
  X(VerifyLabourClaim, VerifyLabourClaimRequest, LabourClaim)                    \
  X(GetEmployerCounts, GetEmployerCountsRequest, EmployerCounts)                 \
  X(CreateOutreachEvent, CreateOutreachEventRequest, OutreachEvent)              \
  X(ListOutreachEvents, ListOutreachEventsRequest, ListOutreachEventsResponse)

// Thin gRPC adapter over Workers.
class TemporaryWorkersServiceImpl final : public v1::TemporaryWorkersService::CallbackService {
 public:
  TemporaryWorkersServiceImpl(Workers* workers, ThreadPool* pool, authz::Authorizer* authorizer)
      : workers_(workers), pool_(pool), authorizer_(authorizer) {}

  ENLACE_WORKERS_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Workers* workers_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::workers

#endif  // ENLACE_SERVICES_WORKERS_SERVICE_H_

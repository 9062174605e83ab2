#ifndef ENLACE_SERVICES_CHILDREN_SERVICE_H_
#define ENLACE_SERVICES_CHILDREN_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/children/v1/children.grpc.pb.h"
#include "services/children/children.h"

namespace enlace::children {

// The service's methods: (method, request, response), for the thin adapter below.
#define ENLACE_CHILDREN_METHODS(X)                                  \
  X(CreateChildRecord, CreateChildRecordRequest, ChildRecord)       \
  X(GetChildRecord, GetChildRecordRequest, ChildRecord)             \
  X(UpdateChildRecord, UpdateChildRecordRequest, ChildRecord)       \
  X(AdvanceChildRecord, AdvanceChildRecordRequest, ChildRecord)     \
  X(AddAssessment, AddAssessmentRequest, ChildRecord)               \
  X(RequestDetermination, RequestDeterminationRequest, ChildRecord) \
  X(DecideDetermination, DecideDeterminationRequest, ChildRecord)   \
  X(AddTracingEntry, AddTracingEntryRequest, ChildRecord)           \
  X(UpdateTracingEntry, UpdateTracingEntryRequest, ChildRecord)     \
  X(SetReturnPlan, SetReturnPlanRequest, ChildRecord)               \
  X(GetHandover, GetHandoverRequest, Handover)                      \
  X(ListHandovers, ListHandoversRequest, ListHandoversResponse)     \
  X(RespondToHandover, RespondToHandoverRequest, Handover)          \
  X(SetChildProtectionGrant, SetChildProtectionGrantRequest, ChildProtectionGrant)

// Thin gRPC adapter over ChildRecords.
class ChildProtectionServiceImpl final : public v1::ChildProtectionService::CallbackService {
 public:
  ChildProtectionServiceImpl(ChildRecords* records, ThreadPool* pool, authz::Authorizer* authorizer)
      : records_(records), pool_(pool), authorizer_(authorizer) {}

  ENLACE_CHILDREN_METHODS(ENLACE_DECLARE_UNARY)

 private:
  ChildRecords* records_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::children

#endif  // ENLACE_SERVICES_CHILDREN_SERVICE_H_

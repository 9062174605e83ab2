#ifndef ENLACE_SERVICES_CRISIS_SERVICE_H_
#define ENLACE_SERVICES_CRISIS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/crisis/v1/crisis.grpc.pb.h"
#include "services/crisis/crisis.h"

namespace enlace::crisis {

// The crisis service's methods: (method, request, response), for the thin adapter below.
#define ENLACE_CRISIS_METHODS(X)                                                  \
  X(DeclareCrisis, DeclareCrisisRequest, Crisis)                                  \
  X(UpdateCrisis, UpdateCrisisRequest, Crisis)                                    \
  X(GetCrisis, GetCrisisRequest, Crisis)                                          \
  X(ListCrises, ListCrisesRequest, ListCrisesResponse)                            \
  X(CreateRegistration, CreateRegistrationRequest, Registration)                  \
  X(GetRegistration, GetRegistrationRequest, Registration)                        \
  X(ImportRegistrations, ImportRegistrationsRequest, ImportRegistrationsResponse) \
  X(RecordWelfareNote, RecordWelfareNoteRequest, AccountingEntry)                 \
  X(ListWelfareNotes, ListWelfareNotesRequest, ListWelfareNotesResponse)          \
  X(ListWorklist, ListWorklistRequest, ListWorklistResponse)                      \
  X(GetBoard, GetBoardRequest, Board)                                             \
  X(MergeSubjects, MergeSubjectsRequest, AccountingEntry)                         \
  X(SendSighting, SendSightingRequest, SendSightingResponse)                      \
  X(GetRegionalPicture, GetRegionalPictureRequest, RegionalPicture)               \
  X(RequestAssistance, RequestAssistanceRequest, AssistanceRequest)               \
  X(RespondToAssistance, RespondToAssistanceRequest, AssistanceRequest)           \
  X(ListAssistance, ListAssistanceRequest, ListAssistanceResponse)                \
  X(PublishMovement, PublishMovementRequest, Movement)                            \
  X(ListMovements, ListMovementsRequest, ListMovementsResponse)

// Thin gRPC adapter over Crises.
class CrisisServiceImpl final : public v1::CrisisService::CallbackService {
 public:
  CrisisServiceImpl(Crises* crises, ThreadPool* pool, authz::Authorizer* authorizer)
      : crises_(crises), pool_(pool), authorizer_(authorizer) {}

  ENLACE_CRISIS_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Crises* crises_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::crisis

#endif  // ENLACE_SERVICES_CRISIS_SERVICE_H_

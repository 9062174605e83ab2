#include "services/cases/service.h"

#include "common/identity/caller.h"
#include "common/status/grpc_status.h"

namespace enlace::cases {
namespace {

// Runs `method` of the registry on the pool and finishes the call with its result.
template <typename Request, typename Response, typename Method>
grpc::ServerUnaryReactor* Dispatch(grpc::CallbackServerContext* context, ThreadPool* pool,
                                   Registry* registry, const Request* request,
                                   Response* response, Method method) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = CallerFromAuthContext(context->auth_context().get());
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  // The request, response and reactor stay valid until Finish is called.
  pool->Schedule([context, reactor, registry, request, response, method,
                  caller = *std::move(caller)] {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
      return;
    }
    auto result = (registry->*method)(*request, caller);
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

}  // namespace

#define ENLACE_DISPATCH(Class, Method, Request, Response)                                   \
  grpc::ServerUnaryReactor* Class::Method(grpc::CallbackServerContext* context,             \
                                          const v1::Request* request,                       \
                                          v1::Response* response) {                         \
    return Dispatch(context, pool_, registry_, request, response, &Registry::Method);       \
  }

ENLACE_DISPATCH(PersonServiceImpl, CreatePerson, CreatePersonRequest, Person)
ENLACE_DISPATCH(PersonServiceImpl, GetPerson, GetPersonRequest, Person)
ENLACE_DISPATCH(PersonServiceImpl, UpdatePerson, UpdatePersonRequest, Person)
ENLACE_DISPATCH(PersonServiceImpl, SearchPersons, SearchPersonsRequest, SearchPersonsResponse)
ENLACE_DISPATCH(CaseServiceImpl, CreateCase, CreateCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, GetCase, GetCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, ListCases, ListCasesRequest, ListCasesResponse)
ENLACE_DISPATCH(CaseServiceImpl, UpdateCase, UpdateCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, CloseCase, CloseCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, AddAction, AddActionRequest, Action)
ENLACE_DISPATCH(CaseServiceImpl, ListActions, ListActionsRequest, ListActionsResponse)

#undef ENLACE_DISPATCH

}  // namespace enlace::cases

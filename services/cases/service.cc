#include "services/cases/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::cases {
#define ENLACE_DISPATCH(Class, Method, Request, Response)                                   \
  grpc::ServerUnaryReactor* Class::Method(grpc::CallbackServerContext* context,             \
                                          const v1::Request* request,                       \
                                          v1::Response* response) {                         \
    return DispatchUnary(context, pool_, registry_, request, response, &Registry::Method);       \
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

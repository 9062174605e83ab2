#include "services/cases/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::cases {
#define ENLACE_DISPATCH(Class, Service, Method, Request, Response)                                  \
  grpc::ServerUnaryReactor* Class::Method(grpc::CallbackServerContext* context,            \
                                          const v1::Request* request,                      \
                                          v1::Response* response) {                        \
    static const std::string rpc =                                                         \
        std::string(v1::Service::service_full_name()) + "/" #Method;                             \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), registry_, request,     \
                         response, &Registry::Method);                                     \
  }

ENLACE_DISPATCH(PersonServiceImpl, PersonService, CreatePerson, CreatePersonRequest, Person)
ENLACE_DISPATCH(PersonServiceImpl, PersonService, GetPerson, GetPersonRequest, Person)
ENLACE_DISPATCH(PersonServiceImpl, PersonService, UpdatePerson, UpdatePersonRequest, Person)
ENLACE_DISPATCH(PersonServiceImpl, PersonService, SearchPersons, SearchPersonsRequest, SearchPersonsResponse)
ENLACE_DISPATCH(PersonServiceImpl, PersonService, ErasePerson, ErasePersonRequest, ErasePersonResponse)
ENLACE_DISPATCH(PersonServiceImpl, PersonService, GrantPersonAccess, GrantPersonAccessRequest,
                GrantPersonAccessResponse)
ENLACE_DISPATCH(CaseServiceImpl, CaseService, CreateCase, CreateCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, CaseService, GetCase, GetCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, CaseService, ListCases, ListCasesRequest, ListCasesResponse)
ENLACE_DISPATCH(CaseServiceImpl, CaseService, UpdateCase, UpdateCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, CaseService, CloseCase, CloseCaseRequest, Case)
ENLACE_DISPATCH(CaseServiceImpl, CaseService, AddAction, AddActionRequest, Action)
ENLACE_DISPATCH(CaseServiceImpl, CaseService, ListActions, ListActionsRequest, ListActionsResponse)

#undef ENLACE_DISPATCH

}  // namespace enlace::cases

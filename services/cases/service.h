#ifndef ENLACE_SERVICES_CASES_SERVICE_H_
#define ENLACE_SERVICES_CASES_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "services/cases/registry.h"

namespace enlace::cases {

#define ENLACE_PERSON_METHODS(X)                                            \
  X(CreatePerson, CreatePersonRequest, Person)                              \
  X(GetPerson, GetPersonRequest, Person)                                    \
  X(UpdatePerson, UpdatePersonRequest, Person)                              \
  X(SearchPersons, SearchPersonsRequest, SearchPersonsResponse)             \
  X(ErasePerson, ErasePersonRequest, ErasePersonResponse)                   \
  X(GrantPersonAccess, GrantPersonAccessRequest, GrantPersonAccessResponse)

// Thin gRPC adapters over the registry (see DispatchUnary).
class PersonServiceImpl final : public v1::PersonService::CallbackService {
 public:
  PersonServiceImpl(Registry* registry, ThreadPool* pool, authz::Authorizer* authorizer)
      : registry_(registry), pool_(pool), authorizer_(authorizer) {}

  ENLACE_PERSON_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Registry* registry_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

#define ENLACE_CASE_METHODS(X)                            \
  X(CreateCase, CreateCaseRequest, Case)                  \
  X(GetCase, GetCaseRequest, Case)                        \
  X(ListCases, ListCasesRequest, ListCasesResponse)       \
  X(UpdateCase, UpdateCaseRequest, Case)                  \
  X(CloseCase, CloseCaseRequest, Case)                    \
  X(AddAction, AddActionRequest, Action)                  \
  X(ListActions, ListActionsRequest, ListActionsResponse)

class CaseServiceImpl final : public v1::CaseService::CallbackService {
 public:
  CaseServiceImpl(Registry* registry, ThreadPool* pool, authz::Authorizer* authorizer)
      : registry_(registry), pool_(pool), authorizer_(authorizer) {}

  ENLACE_CASE_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Registry* registry_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_SERVICE_H_

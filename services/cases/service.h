#ifndef ENLACE_SERVICES_CASES_SERVICE_H_
#define ENLACE_SERVICES_CASES_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "services/cases/registry.h"

namespace enlace::cases {

// Thin gRPC adapters over the registry (see DispatchUnary).
class PersonServiceImpl final : public v1::PersonService::CallbackService {
 public:
  PersonServiceImpl(Registry* registry, ThreadPool* pool, authz::Authorizer* authorizer)
      : registry_(registry), pool_(pool), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* CreatePerson(grpc::CallbackServerContext* context,
                                         const v1::CreatePersonRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* GetPerson(grpc::CallbackServerContext* context,
                                      const v1::GetPersonRequest* request,
                                      v1::Person* response) override;
  grpc::ServerUnaryReactor* UpdatePerson(grpc::CallbackServerContext* context,
                                         const v1::UpdatePersonRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* SearchPersons(grpc::CallbackServerContext* context,
                                          const v1::SearchPersonsRequest* request,
                                          v1::SearchPersonsResponse* response) override;
  grpc::ServerUnaryReactor* ErasePerson(grpc::CallbackServerContext* context,
                                        const v1::ErasePersonRequest* request,
                                        v1::ErasePersonResponse* response) override;
  grpc::ServerUnaryReactor* GrantPersonAccess(grpc::CallbackServerContext* context,
                                              const v1::GrantPersonAccessRequest* request,
                                              v1::GrantPersonAccessResponse* response) override;

 private:
  Registry* registry_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

class CaseServiceImpl final : public v1::CaseService::CallbackService {
 public:
  CaseServiceImpl(Registry* registry, ThreadPool* pool, authz::Authorizer* authorizer)
      : registry_(registry), pool_(pool), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* CreateCase(grpc::CallbackServerContext* context,
                                       const v1::CreateCaseRequest* request,
                                       v1::Case* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const v1::GetCaseRequest* request,
                                    v1::Case* response) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* context,
                                      const v1::ListCasesRequest* request,
                                      v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCase(grpc::CallbackServerContext* context,
                                       const v1::UpdateCaseRequest* request,
                                       v1::Case* response) override;
  grpc::ServerUnaryReactor* CloseCase(grpc::CallbackServerContext* context,
                                      const v1::CloseCaseRequest* request,
                                      v1::Case* response) override;
  grpc::ServerUnaryReactor* AddAction(grpc::CallbackServerContext* context,
                                      const v1::AddActionRequest* request,
                                      v1::Action* response) override;
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* context,
                                        const v1::ListActionsRequest* request,
                                        v1::ListActionsResponse* response) override;

 private:
  Registry* registry_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_SERVICE_H_

#ifndef ENLACE_SERVICES_CASES_SERVICE_H_
#define ENLACE_SERVICES_CASES_SERVICE_H_

#include "common/concurrency/thread_pool.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "services/cases/registry.h"

namespace enlace::cases {

// Thin gRPC adapters: identify the caller, hand the call to the worker pool (the registry
// blocks on synced commits, which must not happen on gRPC's callback threads) and map the
// absl::Status to a grpc::Status with field violations.
class PersonServiceImpl final : public v1::PersonService::CallbackService {
 public:
  PersonServiceImpl(Registry* registry, ThreadPool* pool) : registry_(registry), pool_(pool) {}

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

 private:
  Registry* registry_;
  ThreadPool* pool_;
};

class CaseServiceImpl final : public v1::CaseService::CallbackService {
 public:
  CaseServiceImpl(Registry* registry, ThreadPool* pool) : registry_(registry), pool_(pool) {}

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
};

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_SERVICE_H_

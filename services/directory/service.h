#ifndef ENLACE_SERVICES_DIRECTORY_SERVICE_H_
#define ENLACE_SERVICES_DIRECTORY_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "services/directory/directory.h"

namespace enlace::directory {

// Thin gRPC adapter over Directory.
class DirectoryServiceImpl final : public v1::DirectoryService::CallbackService {
 public:
  DirectoryServiceImpl(Directory* directory, ThreadPool* pool, authz::Authorizer* authorizer)
      : directory_(directory), pool_(pool), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* CreateOrganisation(grpc::CallbackServerContext* context,
                                               const v1::CreateOrganisationRequest* request,
                                               v1::Organisation* response) override;
  grpc::ServerUnaryReactor* GetOrganisation(grpc::CallbackServerContext* context,
                                            const v1::GetOrganisationRequest* request,
                                            v1::Organisation* response) override;
  grpc::ServerUnaryReactor* UpdateOrganisation(grpc::CallbackServerContext* context,
                                               const v1::UpdateOrganisationRequest* request,
                                               v1::Organisation* response) override;
  grpc::ServerUnaryReactor* DeleteOrganisation(grpc::CallbackServerContext* context,
                                               const v1::DeleteOrganisationRequest* request,
                                               v1::DeleteOrganisationResponse* response) override;
  grpc::ServerUnaryReactor* ListOrganisations(grpc::CallbackServerContext* context,
                                              const v1::ListOrganisationsRequest* request,
                                              v1::ListOrganisationsResponse* response) override;

 private:
  Directory* directory_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::directory

#endif  // ENLACE_SERVICES_DIRECTORY_SERVICE_H_

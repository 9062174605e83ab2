#ifndef ENLACE_SERVICES_DIRECTORY_SERVICE_H_
#define ENLACE_SERVICES_DIRECTORY_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "services/directory/directory.h"

namespace enlace::directory {

#define ENLACE_DIRECTORY_METHODS(X)                                            \
  X(CreateOrganisation, CreateOrganisationRequest, Organisation)               \
  X(GetOrganisation, GetOrganisationRequest, Organisation)                     \
  X(UpdateOrganisation, UpdateOrganisationRequest, Organisation)               \
  X(DeleteOrganisation, DeleteOrganisationRequest, DeleteOrganisationResponse) \
  X(ListOrganisations, ListOrganisationsRequest, ListOrganisationsResponse)

// Thin gRPC adapter over Directory.
class DirectoryServiceImpl final : public v1::DirectoryService::CallbackService {
 public:
  DirectoryServiceImpl(Directory* directory, ThreadPool* pool, authz::Authorizer* authorizer)
      : directory_(directory), pool_(pool), authorizer_(authorizer) {}

  ENLACE_DIRECTORY_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Directory* directory_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::directory

#endif  // ENLACE_SERVICES_DIRECTORY_SERVICE_H_

#include "services/directory/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::directory {

#define ENLACE_DISPATCH(Method, Request, Response)                                          \
  grpc::ServerUnaryReactor* DirectoryServiceImpl::Method(grpc::CallbackServerContext* context, \
                                                         const v1::Request* request,           \
                                                         v1::Response* response) {             \
    static const std::string rpc =                                                             \
        std::string(v1::DirectoryService::service_full_name()) + "/" #Method;                  \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), directory_, request,        \
                         response, &Directory::Method);                                        \
  }

ENLACE_DISPATCH(CreateOrganisation, CreateOrganisationRequest, Organisation)
ENLACE_DISPATCH(GetOrganisation, GetOrganisationRequest, Organisation)
ENLACE_DISPATCH(UpdateOrganisation, UpdateOrganisationRequest, Organisation)
ENLACE_DISPATCH(DeleteOrganisation, DeleteOrganisationRequest, DeleteOrganisationResponse)
ENLACE_DISPATCH(ListOrganisations, ListOrganisationsRequest, ListOrganisationsResponse)

#undef ENLACE_DISPATCH

}  // namespace enlace::directory

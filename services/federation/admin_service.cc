#include "services/federation/admin_service.h"

#include <string>

#include "common/grpcutil/dispatch.h"

namespace enlace::federation {

#define ENLACE_DISPATCH(Method, Request, Response)                                          \
  grpc::ServerUnaryReactor* FederationAdminServiceImpl::Method(                             \
      grpc::CallbackServerContext* context, const v1::Request* request,                    \
      v1::Response* response) {                                                            \
    static const std::string rpc =                                                         \
        std::string(v1::FederationAdminService::service_full_name()) + "/" #Method;       \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), admin_, request,        \
                         response, &FederationAdmin::Method);                              \
  }

ENLACE_DISPATCH(GetFederationStatus, GetFederationStatusRequest, FederationStatus)
ENLACE_DISPATCH(ListQuarantine, ListQuarantineRequest, ListQuarantineResponse)
ENLACE_DISPATCH(ResumeLink, ResumeLinkRequest, ResumeLinkResponse)

#undef ENLACE_DISPATCH

}  // namespace enlace::federation

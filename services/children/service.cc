#include "services/children/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::children {

#define ENLACE_DISPATCH(Method, Request, Response)                                                \
  grpc::ServerUnaryReactor* ChildProtectionServiceImpl::Method(                                   \
      grpc::CallbackServerContext* context, const v1::Request* request, v1::Response* response) { \
    static const std::string rpc =                                                                \
        std::string(v1::ChildProtectionService::service_full_name()) + "/" #Method;               \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), records_, request, response,   \
                         &ChildRecords::Method);                                                  \
  }
ENLACE_CHILDREN_METHODS(ENLACE_DISPATCH)
#undef ENLACE_DISPATCH

}  // namespace enlace::children

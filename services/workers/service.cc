#include "services/workers/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::workers {

#define ENLACE_DISPATCH(Method, Request, Response)                                                \
  grpc::ServerUnaryReactor* TemporaryWorkersServiceImpl::Method(                                  \
      grpc::CallbackServerContext* context, const v1::Request* request, v1::Response* response) { \
    static const std::string rpc =                                                                \
        std::string(v1::TemporaryWorkersService::service_full_name()) + "/" #Method;              \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), workers_, request, response,   \
                         &Workers::Method);                                                       \
  }
ENLACE_WORKERS_METHODS(ENLACE_DISPATCH)
#undef ENLACE_DISPATCH

}  // namespace enlace::workers

#include "services/crisis/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::crisis {

#define ENLACE_DISPATCH(Method, Request, Response)                                                \
  grpc::ServerUnaryReactor* CrisisServiceImpl::Method(                                            \
      grpc::CallbackServerContext* context, const v1::Request* request, v1::Response* response) { \
    static const std::string rpc =                                                                \
        std::string(v1::CrisisService::service_full_name()) + "/" #Method;                        \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), crises_, request, response,    \
                         &Crises::Method);                                                        \
  }
ENLACE_CRISIS_METHODS(ENLACE_DISPATCH)
#undef ENLACE_DISPATCH

}  // namespace enlace::crisis

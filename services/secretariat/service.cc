#include "services/secretariat/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::secretariat {

#define ENLACE_DISPATCH(Method, Request, Response)                                                \
  grpc::ServerUnaryReactor* SecretariatServiceImpl::Method(                                       \
      grpc::CallbackServerContext* context, const v1::Request* request, v1::Response* response) { \
    static const std::string rpc =                                                                \
        std::string(v1::SecretariatService::service_full_name()) + "/" #Method;                   \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), regional_, request, response,  \
                         &Regional::Method);                                                      \
  }
ENLACE_SECRETARIAT_METHODS(ENLACE_DISPATCH)
#undef ENLACE_DISPATCH

}  // namespace enlace::secretariat

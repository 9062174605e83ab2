#include "services/stats/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::stats {

#define ENLACE_DISPATCH(Method, Request, Response)                                                \
  grpc::ServerUnaryReactor* StatsServiceImpl::Method(                                             \
      grpc::CallbackServerContext* context, const v1::Request* request, v1::Response* response) { \
    static const std::string rpc =                                                                \
        std::string(v1::StatsService::service_full_name()) + "/" #Method;                         \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), stats_, request, response,     \
                         &Stats::Method);                                                         \
  }
ENLACE_STATS_METHODS(ENLACE_DISPATCH)
#undef ENLACE_DISPATCH

}  // namespace enlace::stats

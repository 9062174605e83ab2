#ifndef ENLACE_SERVICES_STATS_SERVICE_H_
#define ENLACE_SERVICES_STATS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "services/stats/stats.h"

namespace enlace::stats {

// The service's methods: (method, request, response), for the thin adapter below.
#define ENLACE_STATS_METHODS(X) X(GetMonthlyRelease, GetMonthlyReleaseRequest, MonthlyRelease)

// Thin gRPC adapter over Stats.
class StatsServiceImpl final : public v1::StatsService::CallbackService {
 public:
  StatsServiceImpl(Stats* stats, ThreadPool* pool, authz::Authorizer* authorizer)
      : stats_(stats), pool_(pool), authorizer_(authorizer) {}

#define ENLACE_DECLARE(Method, Request, Response)                        \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, \
                                   const v1::Request* request, v1::Response* response) override;
  ENLACE_STATS_METHODS(ENLACE_DECLARE)
#undef ENLACE_DECLARE

 private:
  Stats* stats_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::stats

#endif  // ENLACE_SERVICES_STATS_SERVICE_H_

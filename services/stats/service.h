#ifndef ENLACE_SERVICES_STATS_SERVICE_H_
#define ENLACE_SERVICES_STATS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "services/stats/stats.h"

namespace enlace::stats {

// The service's methods: (method, request, response), for the thin adapter below.
#define ENLACE_STATS_METHODS(X)                                     \
  X(GetMonthlyRelease, GetMonthlyReleaseRequest, MonthlyRelease) \
  X(ImportHistory, ImportHistoryRequest, ImportHistoryResponse)

// Thin gRPC adapter over Stats.
class StatsServiceImpl final : public v1::StatsService::CallbackService {
 public:
  StatsServiceImpl(Stats* stats, ThreadPool* pool, authz::Authorizer* authorizer)
      : stats_(stats), pool_(pool), authorizer_(authorizer) {}

  ENLACE_STATS_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Stats* stats_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::stats

#endif  // ENLACE_SERVICES_STATS_SERVICE_H_

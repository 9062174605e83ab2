#include "services/stats/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::stats {

#define ENLACE_DEFINE(Method, Request, Response) \
  ENLACE_DEFINE_UNARY(StatsServiceImpl, v1::StatsService, Stats, stats_, Method, Request, Response)
ENLACE_STATS_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::stats
